# Send flow (issue E): the outbox journal (cmocka), and the send flow through the
# real binary against the fakes (Python).
th_unit_test(test_outbox SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_outbox.c ENGINE)
