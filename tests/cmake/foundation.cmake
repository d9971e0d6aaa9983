# Foundation (issue A): framing and envelope unit tests, protocol tests through
# pipes (also under valgrind), the frame+envelope fuzz target.
th_unit_test(test_frame SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_frame.c)

add_test(NAME protocol COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/protocol/test_protocol.py)
set_tests_properties(protocol PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS protocol)
if(VALGRIND AND NOT TH_SANITIZE AND NOT TH_FUZZ)
  add_test(NAME protocol_valgrind COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/protocol/test_protocol.py)
  set_tests_properties(protocol_valgrind PROPERTIES LABELS "protocol;valgrind"
    ENVIRONMENT "${TH_TEST_ENV};TH_WRAPPER=${VALGRIND} -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --track-fds=no")
endif()

th_fuzz_target(fuzz_envelope SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_envelope.c)
th_unit_test(test_term SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_term.c)
