# Reliability: PROTOCOL.md kept true, and the malformed-input campaign
# through one long-lived host (also under valgrind).
add_test(NAME protocol_doc COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/protocol/test_doc.py)
set_tests_properties(protocol_doc PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS protocol)

add_test(NAME malformed COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/reliability/malformed.py)
set_tests_properties(malformed PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS reliability)
if(VALGRIND AND NOT TH_SANITIZE AND NOT TH_FUZZ)
  add_test(NAME malformed_valgrind COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/reliability/malformed.py)
  set_tests_properties(malformed_valgrind PROPERTIES LABELS "reliability;valgrind" TIMEOUT 900
    ENVIRONMENT "${TH_TEST_ENV};TH_WRAPPER=${VALGRIND} -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite")
endif()

# The campaign's short version (tests/reliability/run.sh --short: 25 hard stops, 4 x 10
# parallel hosts, a 20-send fault storm, the lease race, with the summary table) and the canary
# secrets audit. Both drive the real binary against the fakes, whose rate limits they raise.
set(TH_RELIAB_ENV "${TH_TEST_ENV}")
if(TH_FAILPOINTS)
  list(APPEND TH_RELIAB_ENV "TH_FAILPOINTS_BUILT=1")
endif()
add_test(NAME reliability_short COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/reliability/run.sh --short --no-audit)
set_tests_properties(reliability_short PROPERTIES ENVIRONMENT "${TH_RELIAB_ENV}" LABELS reliability TIMEOUT 300)
add_test(NAME secrets_audit COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/reliability/secrets_audit.py)
set_tests_properties(secrets_audit PROPERTIES ENVIRONMENT "${TH_RELIAB_ENV}" LABELS reliability TIMEOUT 300)
# Old secrets leave a long-lived port's memory (the live host's /proc/<pid>/mem read as root;
# SKIPPED where it cannot be read). Not in sanitizer builds: their shadow mappings are terabytes.
if(NOT TH_SANITIZE AND NOT TH_FUZZ)
  add_test(NAME secrets_memory COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/reliability/memory_audit.py)
  set_tests_properties(secrets_memory PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS "reliability;protocol"
                       SKIP_RETURN_CODE 77 TIMEOUT 180)
endif()
