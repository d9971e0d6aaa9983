# The fakes of TextUs Next, Harvest v1/v3 and the OAuth token endpoint check
# their own enforcement rules, so the other tests can trust what they record.
add_test(NAME fakes_selftest COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/fakes/test_fakes.py)
set_tests_properties(fakes_selftest PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS fakes TIMEOUT 120)
