# Credential store: the C API under cmocka (engine objects linked in),
# and the real binary driven through its CLI and the protocol.
th_unit_test(test_store SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_store.c ENGINE)
set_tests_properties(test_store PROPERTIES TIMEOUT 120)

add_test(NAME store_cli COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/store/test_store_cli.py)
set_tests_properties(store_cli PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS "store;protocol" TIMEOUT 180)
th_fuzz_target(fuzz_store SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_store.c ENGINE)
