# Cross-module flows through the real binary against the fakes.
add_test(NAME fallback COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_fallback.py)
set_tests_properties(fallback PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS integration TIMEOUT 120)
# A service's 401 that echoes the credential it was sent (TextUs token, Harvest v1 key, v3
# client id and secret): send_sms, bulk_preview, configure's verification and doctor relay
# its message with "[redacted]" in place, never the credential (reply, stdout, stderr, log).
add_test(NAME upstream_secrets COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_upstream_secrets.py)
set_tests_properties(upstream_secrets PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS integration TIMEOUT 300)
