# Online verification in configure: the real binary's CLI and
# `configure` verb against the Python fakes (tests/fakes).
add_test(NAME verify_configure
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/verify/test_verify.py)
set_tests_properties(verify_configure PROPERTIES ENVIRONMENT "${TH_TEST_ENV}"
                     LABELS "verify;protocol" TIMEOUT 180)

# `configure` as a person meets it: steps and timeouts, unknown members, the Harvest
# switch, what changed, the interactive session on a pty, --help and the README's configure step.
add_test(NAME configure_cli
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/verify/test_configure_cli.py)
set_tests_properties(configure_cli PROPERTIES ENVIRONMENT "${TH_TEST_ENV}"
                     LABELS "verify;cli" TIMEOUT 240)
