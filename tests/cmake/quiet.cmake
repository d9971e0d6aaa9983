# Quiet hours, the core: the window/zone/next_allowed arithmetic (cmocka).
th_unit_test(test_quiet SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_quiet.c)
