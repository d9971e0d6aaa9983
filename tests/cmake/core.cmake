# Direct tests of the executable's security-relevant core modules: strict UTF-8
# (utf8.c).
th_unit_test(test_utf8 SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_utf8.c)
