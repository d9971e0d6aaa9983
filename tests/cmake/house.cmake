# The map of host/: every file's tag (the last line of its top comment) and the README's
# table of host/ files agree with the source lists of host/CMakeLists.txt; every unit test
# is tests/unit/test_<module>.c for a host/<module>.c.
add_test(NAME house_layout COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/house/test_layout.py)
set_tests_properties(house_layout PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS house TIMEOUT 60)
# Calls go one way: no include circle among the engine's modules (README, *Data flow*).
add_test(NAME house_includes COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/house/test_includes.py)
set_tests_properties(house_includes PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS house TIMEOUT 60)

# Business code is the same file on every platform: no #if on a platform macro outside
# host/os.h and host/os_*.c; the files not moved yet are an allowlist that may only shrink
# (printed on every run: ctest -V -R house_platform).
add_test(NAME house_platform COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/house/test_platform.py)
set_tests_properties(house_platform PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS house TIMEOUT 60)
