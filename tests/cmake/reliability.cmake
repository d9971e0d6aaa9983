# Reliability (issue G): PROTOCOL.md kept true, and the malformed-input campaign
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
