# End-to-end (issue F): the extension stub in Debian's headless Chromium against the real host,
# installed into the test profile by scripts/install.sh. gcc build only (one browser run per case
# is enough; the sanitizer build covers the host through the protocol tests).
if(NOT TH_SANITIZE AND NOT TH_FUZZ)
  add_test(NAME e2e COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test.sh)
  set_tests_properties(e2e PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS e2e TIMEOUT 900
                                      SKIP_RETURN_CODE 77 RUN_SERIAL TRUE)
endif()
