# Windows (issue P): textus-host.exe cross-built with mingw-w64 (scripts/build-windows.sh, its
# libraries cached in build-win/deps) and run under Wine: frames in binary mode (with the
# negative control), the extract_phone corpus, engine verbs' "no engine" error, the stall
# timeout on Unix and on Windows pipes. Skipped (exit 77, reported as skipped, never passed)
# where mingw-w64 or Wine is missing or build-win/deps has not been built;
# scripts/test.sh builds it first.
add_test(NAME windows_wine COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/windows/test_windows.py)
set_tests_properties(windows_wine PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS windows
                     SKIP_RETURN_CODE 77 TIMEOUT 900 RUN_SERIAL ON)
