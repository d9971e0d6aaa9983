/*
 * engine_exports — the engine module's one exported symbol: its API table
 * (engine_api.h). Everything else in the module is hidden
 * (-fvisibility=hidden, host/CMakeLists.txt).
 * [engine]
 */
#include "common.h"
#include "engine_api.h"
#include "engine_entry.h"

TH_EXPORT extern const struct th_engine_api textus_host_engine_api;

const struct th_engine_api textus_host_engine_api = {
    .version = TH_ENGINE_API_VERSION,
    .size = sizeof(struct th_engine_api),

    .status = handler_status,
    .configure = handler_configure,
    .send_sms = handler_send_sms,
    .flush_outbox = handler_flush_outbox,
    .message_status = handler_message_status,
    .opt_out = handler_opt_out,
    .import_contact = handler_import_contact,

    .cmd_configure = cli_cmd_configure,
    .cmd_status = cli_cmd_status,
    .cmd_rekey = cli_cmd_rekey,
    .cmd_send = cli_cmd_send,
    .cmd_outbox = cli_cmd_outbox,

    .startup_flush = send_startup_flush,
    .greenhouse_fallback_phones = greenhouse_fallback_phones,
    .doctor_config_checks = doctor_config_checks,
    .doctor_recent_messages = doctor_recent_messages,
    .doctor_scrub = doctor_scrub,

    .conversation = handler_conversation,
    .cmd_conversation = cli_cmd_conversation,
    .schedule_sms = handler_schedule_sms,
    .local_time = handler_local_time,
    .saved_replies = handler_saved_replies,
    .prepare_send = handler_prepare_send,
    .port_idle = send_port_idle,
    .port_close = send_port_close,
    .bulk_send = handler_bulk_send,
    .bulk_status = handler_bulk_status,
    .bulk_cancel = handler_bulk_cancel,
    .cmd_bulk = cli_cmd_bulk,
    .inbox = handler_inbox,
    .bulk_preview = handler_bulk_preview,
    .cmd_inbox = cli_cmd_inbox,
};
