# Send flow: the outbox journal (cmocka), and the send flow through the
# real binary against the fakes (Python).
th_unit_test(test_outbox SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_outbox.c ENGINE)
th_unit_test(test_send SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_send.c ENGINE)
# Merge fields of saved replies and the scheduled time's parser (cmocka).
th_unit_test(test_compose SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_compose.c ENGINE)

# The send flow through the real binary against the fakes (Harvest v1 and v3).
set(TH_SEND_ENV "${TH_TEST_ENV}")
if(TH_FAILPOINTS)
  list(APPEND TH_SEND_ENV "TH_FAILPOINTS_BUILT=1")
endif()
add_test(NAME send_flow COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/send/test_send.py)
set_tests_properties(send_flow PROPERTIES ENVIRONMENT "${TH_SEND_ENV}" LABELS "send" TIMEOUT 300)

# Quiet hours and scheduled sends through the real binary, the clock set by faketime.
add_test(NAME send_quiet COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/send/test_quiet.py)
set_tests_properties(send_quiet PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS "send" TIMEOUT 300)

# Saved replies (templates) with their merge fields, through the real binary.
add_test(NAME send_saved_replies COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/send/test_saved_replies.py)
set_tests_properties(send_saved_replies PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS "send" TIMEOUT 300)

# A build without TH_FAILPOINTS must contain no failpoint code (the names never appear).
if(NOT TH_FAILPOINTS)
  add_test(NAME send_no_failpoints
           COMMAND sh -c "! grep -a -q -e TH_FAILPOINT -e after_journal \"$1\"" sh
                   $<TARGET_FILE:textus-host-engine>)
  set_tests_properties(send_no_failpoints PROPERTIES LABELS "send")
endif()

# A send on a long-lived port (host/PROTOCOL.md, *Ports*): prepare_send and its reuse, reply_before_note and
# its note event, the warm port, and the fdatasync/open counts of a send (strace).
add_test(NAME send_port COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/send/test_port.py)
set_tests_properties(send_port PROPERTIES ENVIRONMENT "${TH_SEND_ENV}" LABELS "send" TIMEOUT 300)
# The same under valgrind (Harvest v1 only): the port's background requests, event frames and
# reloads without a memory error or a definite leak.
if(VALGRIND AND NOT TH_SANITIZE AND NOT TH_FUZZ)
  add_test(NAME send_port_valgrind
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/send/test_port.py)
  set_tests_properties(send_port_valgrind PROPERTIES LABELS "send;valgrind" TIMEOUT 300
    ENVIRONMENT "${TH_SEND_ENV};TH_PORT_ONLY=v1;TH_WRAPPER=${VALGRIND} -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --track-fds=no")
endif()

# The lease race (a note is posted only by the process that holds its claim): a stalled
# stdout and a slow note POST against a flush whose clock faketime moves past the lease.
add_test(NAME send_lease COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/send/test_lease.py)
set_tests_properties(send_lease PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS "send" TIMEOUT 300)
add_test(NAME send_request_budget COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/send/test_request_budget.py)
set_tests_properties(send_request_budget PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS "send" TIMEOUT 300)
add_test(NAME send_pacing COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/send/test_pacing.py)
set_tests_properties(send_pacing PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS "send" TIMEOUT 300)
# bulk_send, bulk_status, bulk_cancel through the real binary (issue S): a bulk of 50 killed
# and replayed until it finishes, the skip reasons, quiet hours per zone, cancel.
add_test(NAME send_bulk COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/send/test_bulk.py)
set_tests_properties(send_bulk PROPERTIES ENVIRONMENT "${TH_SEND_ENV}" LABELS "send" TIMEOUT 300)
# A bulk's {job} {stage} {company} per candidate (one, several, no application; a job_id) and
# bulk_preview's opt-out / blocked checks, Harvest v1 and v3 (issue S).
add_test(NAME send_bulk_merge COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/send/test_bulk_merge.py)
set_tests_properties(send_bulk_merge PROPERTIES ENVIRONMENT "${TH_SEND_ENV}" LABELS "send" TIMEOUT 300)
# `textus-host bulk` for a person (issue R): unknown merge fields and invalid ids refused before
# anything is sent, the outcome in words (--json the machine form), errors in the options' words.
add_test(NAME send_bulk_cli COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/send/test_bulk_cli.py)
set_tests_properties(send_bulk_cli PROPERTIES ENVIRONMENT "${TH_SEND_ENV}" LABELS "send" TIMEOUT 300)
# A bulk against services that misbehave: bulk_preview's TextUs budget when every check fails,
# {company} / {job} reads in an outage (failed with the code, never merge_missing), and merge
# values from the services made plain text on one line (compose.c).
add_test(NAME send_bulk_upstream COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/send/test_bulk_upstream.py)
set_tests_properties(send_bulk_upstream PROPERTIES ENVIRONMENT "${TH_SEND_ENV}" LABELS "send" TIMEOUT 300)
