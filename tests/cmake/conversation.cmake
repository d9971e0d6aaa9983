# Two-way conversations: the conversation verb, replies logged as Greenhouse notes
# exactly once (the verb, flushes, two hosts, crashes), through the real binary against the
# fakes (Harvest v1 and v3).
set(TH_CONV_ENV "${TH_TEST_ENV}")
if(TH_FAILPOINTS)
  list(APPEND TH_CONV_ENV "TH_FAILPOINTS_BUILT=1")
endif()
add_test(NAME conversation
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/conversation/test_conversation.py)
set_tests_properties(conversation PROPERTIES ENVIRONMENT "${TH_CONV_ENV}" LABELS "send;conversation"
                                             TIMEOUT 300)
# Hostile inbound texts (controls, bidi, markup, an imitated marker, 200 kB replies): what
# reaches a note or a terminal (host/notetext.h), through the real binary and the fakes.
add_test(NAME conversation_hostile
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/conversation/test_hostile.py)
set_tests_properties(conversation_hostile PROPERTIES ENVIRONMENT "${TH_TEST_ENV}"
                                                     LABELS "send;conversation" TIMEOUT 300)
# The inbox verb (issue S): the threads waiting for the recruiter on the flush's reads, their
# replies logged once, through the real binary and the fakes.
add_test(NAME conversation_inbox
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/conversation/test_inbox.py)
set_tests_properties(conversation_inbox PROPERTIES ENVIRONMENT "${TH_CONV_ENV}"
                                                   LABELS "send;conversation" TIMEOUT 300)
