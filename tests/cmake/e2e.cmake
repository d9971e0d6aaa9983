# End-to-end: the extension stub in Debian's headless Chromium against the real host,
# installed into the test profile by scripts/install.sh. gcc build only (one browser run per case
# is enough; the sanitizer build covers the host through the protocol tests).
if(NOT TH_SANITIZE AND NOT TH_FUZZ)
  add_test(NAME e2e COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test.sh)
  set_tests_properties(e2e PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS e2e TIMEOUT 900
                                      SKIP_RETURN_CODE 77 RUN_SERIAL TRUE)
endif()

# scripts/demo.sh: the report says which path ran and why; a missing Chromium is
# installed (a failing stub apt-get here) or the reason is given. Uses this build (DEMO_HOST).
if(NOT TH_SANITIZE AND NOT TH_FUZZ)
  add_test(NAME demo COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_demo.py)
  set_tests_properties(demo PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS e2e TIMEOUT 600
                                       RUN_SERIAL TRUE)
endif()
