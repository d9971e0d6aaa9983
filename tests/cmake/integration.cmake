# Cross-module flows through the real binary against the fakes.
add_test(NAME fallback COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_fallback.py)
set_tests_properties(fallback PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS integration TIMEOUT 120)
