# Online verification in configure (issue D item 4): the real binary's CLI and
# `configure` verb against the Python fakes (tests/fakes).
add_test(NAME verify_configure
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/verify/test_verify.py)
set_tests_properties(verify_configure PROPERTIES ENVIRONMENT "${TH_TEST_ENV}"
                     LABELS "verify;protocol" TIMEOUT 180)
