# Foundation: framing (test_frame) and envelope (test_protocol) unit tests, protocol tests
# through pipes (also under valgrind), the frame+envelope fuzz target.
th_unit_test(test_frame SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_frame.c)
th_unit_test(test_protocol SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_protocol.c)

add_test(NAME protocol COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/protocol/test_protocol.py)
set_tests_properties(protocol PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS protocol)
if(VALGRIND AND NOT TH_SANITIZE AND NOT TH_FUZZ)
  add_test(NAME protocol_valgrind COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/protocol/test_protocol.py)
  set_tests_properties(protocol_valgrind PROPERTIES LABELS "protocol;valgrind"
    ENVIRONMENT "${TH_TEST_ENV};TH_WRAPPER=${VALGRIND} -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --track-fds=no")
endif()

th_fuzz_target(fuzz_envelope SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_envelope.c)
th_unit_test(test_term SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_term.c)

# engine.c refuses an engine module from another build (its API table's version or size
# differs): the test binary and a fake module in a folder of their own, where engine.c looks.
set(th_abi_dir ${CMAKE_CURRENT_BINARY_DIR}/engine_abi)
th_unit_test(test_engine SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_engine.c)
set_target_properties(test_engine PROPERTIES ENABLE_EXPORTS ON RUNTIME_OUTPUT_DIRECTORY ${th_abi_dir})
add_library(th_fake_engine_abi MODULE ${CMAKE_CURRENT_SOURCE_DIR}/unit/fake_engine_abi.c)
target_include_directories(th_fake_engine_abi PRIVATE ${PROJECT_SOURCE_DIR}/host)
target_link_libraries(th_fake_engine_abi PRIVATE PkgConfig::CJSON)
set_target_properties(th_fake_engine_abi PROPERTIES PREFIX "" OUTPUT_NAME textus-host-engine
                      SUFFIX .so LIBRARY_OUTPUT_DIRECTORY ${th_abi_dir})
add_dependencies(test_engine th_fake_engine_abi)
