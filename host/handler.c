/*
 * handler — helpers shared by the request handlers: typed fields, a document moved into the result.
 * [core]
 */
#include "handler.h"

static const cJSON *handler_field(const cJSON *obj, const char *name, int required,
                                  enum err_code code, struct err *e,
                                  cJSON_bool (*is)(const cJSON *), const char *what)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

    if (!v || cJSON_IsNull(v)) {
        if (required)
            err_set(e, code, "\"%s\" is required (%s)", name, what);
        return NULL;
    }
    if (!is(v)) {
        err_set(e, code, "\"%s\" must be %s", name, what);
        return NULL;
    }
    return v;
}

const char *handler_string(const cJSON *obj, const char *name, int required, enum err_code code,
                           struct err *e)
{
    const cJSON *v = handler_field(obj, name, required, code, e, cJSON_IsString, "a string");
    return v ? v->valuestring : NULL;
}

const cJSON *handler_object(const cJSON *obj, const char *name, int required, enum err_code code,
                            struct err *e)
{
    return handler_field(obj, name, required, code, e, cJSON_IsObject, "an object");
}

const cJSON *handler_array(const cJSON *obj, const char *name, int required, enum err_code code,
                           struct err *e)
{
    return handler_field(obj, name, required, code, e, cJSON_IsArray, "an array");
}

void handler_result_take(cJSON *result, cJSON *src)
{
    cJSON *it;

    for (it = src->child; it; it = src->child) {
        cJSON_DetachItemViaPointer(src, it);
        cJSON_AddItemToObject(result, it->string, it);
    }
    cJSON_Delete(src);
}
