"""Generated from include/kimi.h by tools/gen_python.py: do not edit (`make header`
writes it again). FUNCTIONS: every C function's ctypes argument and result types,
under its C prototype; the C callback types; and BLOCKING, the functions tagged
`blocks`, which may wait (libkimi._lib binds them through CDLL, releasing the GIL)."""

from ctypes import CFUNCTYPE, POINTER, c_char_p, c_double, c_int, c_int32, c_int64, c_size_t, c_uint32, \
    c_uint64, c_void_p

P = c_void_p              # a kimi_* handle, user data, or a string to free or read by length
S = c_char_p              # a NUL-terminated string in, or a borrowed one out (as bytes)
OUT = POINTER(c_void_p)   # where a handle or pointer is stored
LEN = POINTER(c_size_t)   # where a length is stored

# typedef void (*kimi_log_cb)(int level, const char *message, void *user_data);
log_cb = CFUNCTYPE(None, c_int, S, P)
# typedef int (*kimi_progress_cb)(uint64_t sent, uint64_t total, void *user_data);
progress_cb = CFUNCTYPE(c_int, c_uint64, c_uint64, P)
# typedef int (*kimi_write_cb)(const void *data, size_t len, void *user_data);
write_cb = CFUNCTYPE(c_int, P, c_size_t, P)
# typedef int (*kimi_stream_cb)(const kimi_stream_event *event, void *user_data);
stream_cb = CFUNCTYPE(c_int, P, P)
# typedef int (*kimi_tool_fn)(const char *name, const char *arguments_json, kimi_tool_result *result, void *user_data);
tool_fn = CFUNCTYPE(c_int, S, S, P, P)
# typedef int (*kimi_batch_progress_cb)(const kimi_batch *batch, int64_t completed, int64_t failed, int64_t total,
#     void *user_data);
batch_progress_cb = CFUNCTYPE(c_int, P, c_int64, c_int64, c_int64, P)
# typedef int (*kimi_batch_result_cb)(const char *custom_id, const kimi_chat_response *resp, int http_status,
#     const char *error_message, void *user_data);
batch_result_cb = CFUNCTYPE(c_int, S, P, c_int, S, P)

FUNCTIONS = {
    # const char *kimi_version(void)
    "kimi_version": ((), S),
    # int kimi_version_number(void)
    "kimi_version_number": ((), c_int),
    # const char *kimi_status_str(kimi_status status)
    "kimi_status_str": ((c_int,), S),
    # kimi_status kimi_error_status(void)
    "kimi_error_status": ((), c_int),
    # const char *kimi_error_message(void)
    "kimi_error_message": ((), S),
    # const char *kimi_error_detail(void)
    "kimi_error_detail": ((), S),
    # const char *kimi_error_hint(void)
    "kimi_error_hint": ((), S),
    # int kimi_error_http_status(void)
    "kimi_error_http_status": ((), c_int),
    # const char *kimi_error_type(void)
    "kimi_error_type": ((), S),
    # const char *kimi_error_code(void)
    "kimi_error_code": ((), S),
    # const char *kimi_error_request_id(void)
    "kimi_error_request_id": ((), S),
    # int64_t kimi_error_retry_after_ms(void)
    "kimi_error_retry_after_ms": ((), c_int64),
    # const char *kimi_error_body(void)
    "kimi_error_body": ((), S),
    # const char *kimi_error_header(const char *name)
    "kimi_error_header": ((S,), S),
    # size_t kimi_error_header_count(void)
    "kimi_error_header_count": ((), c_size_t),
    # const char *kimi_error_header_name(size_t i)
    "kimi_error_header_name": ((c_size_t,), S),
    # const char *kimi_error_header_value(size_t i)
    "kimi_error_header_value": ((c_size_t,), S),
    # void kimi_error_clear(void)
    "kimi_error_clear": ((), None),
    # int kimi_error_kind(void)
    "kimi_error_kind": ((), c_int),
    # void kimi_string_free(char *string)
    "kimi_string_free": ((P,), None),
    # kimi_client_options *kimi_client_options_new(void)
    "kimi_client_options_new": ((), P),
    # void kimi_client_options_free(kimi_client_options *opts)
    "kimi_client_options_free": ((P,), None),
    # kimi_status kimi_client_options_set_api_key(kimi_client_options *opts, const char *api_key)
    "kimi_client_options_set_api_key": ((P, S), c_int),
    # kimi_status kimi_client_options_set_base_url(kimi_client_options *opts, const char *base_url)
    "kimi_client_options_set_base_url": ((P, S), c_int),
    # kimi_status kimi_client_options_set_connect_timeout_ms(kimi_client_options *opts, uint32_t ms)
    "kimi_client_options_set_connect_timeout_ms": ((P, c_uint32), c_int),
    # kimi_status kimi_client_options_set_timeout_ms(kimi_client_options *opts, uint32_t ms)
    "kimi_client_options_set_timeout_ms": ((P, c_uint32), c_int),
    # kimi_status kimi_client_options_set_idle_timeout_ms(kimi_client_options *opts, uint32_t ms)
    "kimi_client_options_set_idle_timeout_ms": ((P, c_uint32), c_int),
    # kimi_status kimi_client_options_add_header(kimi_client_options *opts, const char *name, const char *value)
    "kimi_client_options_add_header": ((P, S, S), c_int),
    # kimi_status kimi_client_options_set_user_agent(kimi_client_options *opts, const char *user_agent)
    "kimi_client_options_set_user_agent": ((P, S), c_int),
    # kimi_status kimi_client_options_set_ca_file(kimi_client_options *opts, const char *path)
    "kimi_client_options_set_ca_file": ((P, S), c_int),
    # kimi_status kimi_client_options_set_proxy(kimi_client_options *opts, const char *proxy)
    "kimi_client_options_set_proxy": ((P, S), c_int),
    # kimi_status kimi_client_options_set_max_response_bytes(kimi_client_options *opts, uint64_t bytes)
    "kimi_client_options_set_max_response_bytes": ((P, c_uint64), c_int),
    # kimi_status kimi_client_options_set_max_event_bytes(kimi_client_options *opts, uint64_t bytes)
    "kimi_client_options_set_max_event_bytes": ((P, c_uint64), c_int),
    # kimi_status kimi_client_options_set_max_retries(kimi_client_options *opts, uint32_t retries)
    "kimi_client_options_set_max_retries": ((P, c_uint32), c_int),
    # kimi_status kimi_client_options_set_max_connections(kimi_client_options *opts, uint32_t n)
    "kimi_client_options_set_max_connections": ((P, c_uint32), c_int),
    # kimi_status kimi_client_options_set_coalesce_us(kimi_client_options *opts, uint32_t us)
    "kimi_client_options_set_coalesce_us": ((P, c_uint32), c_int),
    # kimi_status kimi_client_options_set_pricing(kimi_client_options *opts, double input_usd_per_million,
    #     double cached_input_usd_per_million, double output_usd_per_million)
    "kimi_client_options_set_pricing": ((P, c_double, c_double, c_double), c_int),
    # kimi_status kimi_client_options_set_web_search_price(kimi_client_options *opts, double usd_per_call)
    "kimi_client_options_set_web_search_price": ((P, c_double), c_int),
    # kimi_status kimi_client_options_set_retry_delay_ms(kimi_client_options *opts, uint32_t base_ms, uint32_t max_ms)
    "kimi_client_options_set_retry_delay_ms": ((P, c_uint32, c_uint32), c_int),
    # kimi_status kimi_client_options_set_kimi_rules(kimi_client_options *opts, int enabled)
    "kimi_client_options_set_kimi_rules": ((P, c_int), c_int),
    # kimi_status kimi_client_options_set_log(kimi_client_options *opts, int level, kimi_log_cb cb, void *user_data)
    "kimi_client_options_set_log": ((P, c_int, log_cb, P), c_int),
    # kimi_status kimi_client_options_set_auto_upload(kimi_client_options *opts, int enabled)
    "kimi_client_options_set_auto_upload": ((P, c_int), c_int),
    # kimi_status kimi_client_new(const kimi_client_options *opts, kimi_client **out)
    "kimi_client_new": ((P, OUT), c_int),
    # void kimi_client_free(kimi_client *client)
    "kimi_client_free": ((P,), None),
    # const char *kimi_client_base_url(const kimi_client *client)
    "kimi_client_base_url": ((P,), S),
    # kimi_call_options *kimi_call_options_new(void)
    "kimi_call_options_new": ((), P),
    # void kimi_call_options_free(kimi_call_options *opts)
    "kimi_call_options_free": ((P,), None),
    # kimi_status kimi_call_options_set_timeout_ms(kimi_call_options *opts, uint32_t ms)
    "kimi_call_options_set_timeout_ms": ((P, c_uint32), c_int),
    # kimi_status kimi_call_options_set_idle_timeout_ms(kimi_call_options *opts, uint32_t ms)
    "kimi_call_options_set_idle_timeout_ms": ((P, c_uint32), c_int),
    # kimi_status kimi_call_options_set_max_retries(kimi_call_options *opts, int32_t n)
    "kimi_call_options_set_max_retries": ((P, c_int32), c_int),
    # kimi_status kimi_call_options_add_header(kimi_call_options *opts, const char *name, const char *value)
    "kimi_call_options_add_header": ((P, S, S), c_int),
    # kimi_status kimi_call_options_add_query(kimi_call_options *opts, const char *name, const char *value)
    "kimi_call_options_add_query": ((P, S, S), c_int),
    # kimi_status kimi_call_options_set_cancel_token(kimi_call_options *opts, kimi_cancel_token *token)
    "kimi_call_options_set_cancel_token": ((P, P), c_int),
    # kimi_status kimi_client_with_options(const kimi_client *client, const kimi_call_options *opts, kimi_client **out)
    "kimi_client_with_options": ((P, P, OUT), c_int),
    # kimi_message *kimi_message_new(const char *role)
    "kimi_message_new": ((S,), P),
    # void kimi_message_free(kimi_message *msg)
    "kimi_message_free": ((P,), None),
    # kimi_status kimi_message_from_json(const char *json, kimi_message **out)
    "kimi_message_from_json": ((S, OUT), c_int),
    # kimi_status kimi_message_add_text(kimi_message *msg, const char *text)
    "kimi_message_add_text": ((P, S), c_int),
    # kimi_status kimi_message_set_name(kimi_message *msg, const char *name)
    "kimi_message_set_name": ((P, S), c_int),
    # kimi_status kimi_message_set_partial(kimi_message *msg, int partial)
    "kimi_message_set_partial": ((P, c_int), c_int),
    # kimi_status kimi_message_set_reasoning_content(kimi_message *msg, const char *reasoning)
    "kimi_message_set_reasoning_content": ((P, S), c_int),
    # kimi_status kimi_message_add_tool_call(kimi_message *msg, const char *id, const char *name,
    #     const char *arguments_json)
    "kimi_message_add_tool_call": ((P, S, S, S), c_int),
    # kimi_status kimi_message_set_tool_call_id(kimi_message *msg, const char *tool_call_id)
    "kimi_message_set_tool_call_id": ((P, S), c_int),
    # kimi_status kimi_message_add_image_data(kimi_message *msg, const char *mime, const void *bytes, size_t len)
    "kimi_message_add_image_data": ((P, S, P, c_size_t), c_int),
    # kimi_status kimi_message_add_image_file(kimi_message *msg, const char *path)
    "kimi_message_add_image_file": ((P, S), c_int),
    # kimi_status kimi_message_add_image_url(kimi_message *msg, const char *url)
    "kimi_message_add_image_url": ((P, S), c_int),
    # kimi_status kimi_message_add_video_data(kimi_message *msg, const char *mime, const void *bytes, size_t len)
    "kimi_message_add_video_data": ((P, S, P, c_size_t), c_int),
    # kimi_status kimi_message_add_video_file(kimi_message *msg, const char *path)
    "kimi_message_add_video_file": ((P, S), c_int),
    # kimi_status kimi_message_add_video_url(kimi_message *msg, const char *url)
    "kimi_message_add_video_url": ((P, S), c_int),
    # kimi_status kimi_message_set_media_reuse(kimi_message *msg, int reuse)
    "kimi_message_set_media_reuse": ((P, c_int), c_int),
    # kimi_chat_request *kimi_chat_request_new(const char *model)
    "kimi_chat_request_new": ((S,), P),
    # void kimi_chat_request_free(kimi_chat_request *req)
    "kimi_chat_request_free": ((P,), None),
    # kimi_status kimi_chat_request_set_model(kimi_chat_request *req, const char *model)
    "kimi_chat_request_set_model": ((P, S), c_int),
    # kimi_status kimi_chat_request_add_message(kimi_chat_request *req, const char *role, const char *text)
    "kimi_chat_request_add_message": ((P, S, S), c_int),
    # kimi_status kimi_chat_request_append_message(kimi_chat_request *req, const kimi_message *msg)
    "kimi_chat_request_append_message": ((P, P), c_int),
    # size_t kimi_chat_request_message_count(const kimi_chat_request *req)
    "kimi_chat_request_message_count": ((P,), c_size_t),
    # kimi_status kimi_chat_request_set_thinking(kimi_chat_request *req, int mode)
    "kimi_chat_request_set_thinking": ((P, c_int), c_int),
    # kimi_status kimi_chat_request_set_max_completion_tokens(kimi_chat_request *req, int64_t tokens)
    "kimi_chat_request_set_max_completion_tokens": ((P, c_int64), c_int),
    # kimi_status kimi_chat_request_set_max_tokens(kimi_chat_request *req, int64_t tokens)
    "kimi_chat_request_set_max_tokens": ((P, c_int64), c_int),
    # kimi_status kimi_chat_request_set_temperature(kimi_chat_request *req, double temperature)
    "kimi_chat_request_set_temperature": ((P, c_double), c_int),
    # kimi_status kimi_chat_request_set_top_p(kimi_chat_request *req, double top_p)
    "kimi_chat_request_set_top_p": ((P, c_double), c_int),
    # kimi_status kimi_chat_request_set_n(kimi_chat_request *req, int64_t n)
    "kimi_chat_request_set_n": ((P, c_int64), c_int),
    # kimi_status kimi_chat_request_set_presence_penalty(kimi_chat_request *req, double penalty)
    "kimi_chat_request_set_presence_penalty": ((P, c_double), c_int),
    # kimi_status kimi_chat_request_set_frequency_penalty(kimi_chat_request *req, double penalty)
    "kimi_chat_request_set_frequency_penalty": ((P, c_double), c_int),
    # kimi_status kimi_chat_request_set_response_format(kimi_chat_request *req, const char *type)
    "kimi_chat_request_set_response_format": ((P, S), c_int),
    # kimi_status kimi_chat_request_set_response_format_json_schema(kimi_chat_request *req, const char *name,
    #     const char *schema_json, int strict)
    "kimi_chat_request_set_response_format_json_schema": ((P, S, S, c_int), c_int),
    # kimi_status kimi_chat_request_add_stop(kimi_chat_request *req, const char *stop)
    "kimi_chat_request_add_stop": ((P, S), c_int),
    # kimi_status kimi_chat_request_set_prompt_cache_key(kimi_chat_request *req, const char *key)
    "kimi_chat_request_set_prompt_cache_key": ((P, S), c_int),
    # kimi_status kimi_chat_request_set_safety_identifier(kimi_chat_request *req, const char *id)
    "kimi_chat_request_set_safety_identifier": ((P, S), c_int),
    # kimi_status kimi_chat_request_add_tool(kimi_chat_request *req, const char *name, const char *description,
    #     const char *parameters_json, int strict)
    "kimi_chat_request_add_tool": ((P, S, S, S, c_int), c_int),
    # kimi_status kimi_chat_request_add_web_search(kimi_chat_request *req)
    "kimi_chat_request_add_web_search": ((P,), c_int),
    # kimi_status kimi_chat_request_set_tool_choice(kimi_chat_request *req, const char *choice)
    "kimi_chat_request_set_tool_choice": ((P, S), c_int),
    # kimi_status kimi_chat_request_set_tool_choice_function(kimi_chat_request *req, const char *name)
    "kimi_chat_request_set_tool_choice_function": ((P, S), c_int),
    # kimi_status kimi_chat_request_append_response(kimi_chat_request *req, const kimi_chat_response *resp)
    "kimi_chat_request_append_response": ((P, P), c_int),
    # kimi_status kimi_chat_request_add_tool_result(kimi_chat_request *req, const char *tool_call_id, const char *name,
    #     const char *content)
    "kimi_chat_request_add_tool_result": ((P, S, S, S), c_int),
    # kimi_status kimi_chat_request_set_prefill(kimi_chat_request *req, const char *prefix, const char *name)
    "kimi_chat_request_set_prefill": ((P, S, S), c_int),
    # kimi_status kimi_chat_request_set_include_usage(kimi_chat_request *req, int include)
    "kimi_chat_request_set_include_usage": ((P, c_int), c_int),
    # kimi_status kimi_chat_request_set_extra_json(kimi_chat_request *req, const char *json_object)
    "kimi_chat_request_set_extra_json": ((P, S), c_int),
    # kimi_status kimi_chat_request_set_timeout_ms(kimi_chat_request *req, uint32_t ms)
    "kimi_chat_request_set_timeout_ms": ((P, c_uint32), c_int),
    # kimi_status kimi_chat_request_set_idle_timeout_ms(kimi_chat_request *req, uint32_t ms)
    "kimi_chat_request_set_idle_timeout_ms": ((P, c_uint32), c_int),
    # kimi_status kimi_chat_request_set_max_retries(kimi_chat_request *req, int32_t n)
    "kimi_chat_request_set_max_retries": ((P, c_int32), c_int),
    # kimi_status kimi_chat_request_add_header(kimi_chat_request *req, const char *name, const char *value)
    "kimi_chat_request_add_header": ((P, S, S), c_int),
    # kimi_status kimi_chat_request_add_query(kimi_chat_request *req, const char *name, const char *value)
    "kimi_chat_request_add_query": ((P, S, S), c_int),
    # kimi_status kimi_chat_request_from_json(const char *body, kimi_chat_request **out)
    "kimi_chat_request_from_json": ((S, OUT), c_int),
    # char *kimi_chat_request_to_json(const kimi_chat_request *req)
    "kimi_chat_request_to_json": ((P,), P),
    # kimi_status kimi_chat_create(kimi_client *client, const kimi_chat_request *req, kimi_chat_response **out)
    "kimi_chat_create": ((P, P, OUT), c_int),
    # kimi_status kimi_chat_continue(kimi_client *client, const kimi_chat_request *req,
    #     const kimi_chat_response *previous, kimi_chat_response **out)
    "kimi_chat_continue": ((P, P, P, OUT), c_int),
    # kimi_status kimi_chat_fit_max_completion_tokens(kimi_client *client, kimi_chat_request *req, int64_t *max_out)
    "kimi_chat_fit_max_completion_tokens": ((P, P, POINTER(c_int64)), c_int),
    # void kimi_chat_response_free(kimi_chat_response *resp)
    "kimi_chat_response_free": ((P,), None),
    # const char *kimi_chat_response_content(const kimi_chat_response *resp, size_t *len_out)
    "kimi_chat_response_content": ((P, LEN), P),
    # const char *kimi_chat_response_reasoning(const kimi_chat_response *resp, size_t *len_out)
    "kimi_chat_response_reasoning": ((P, LEN), P),
    # const char *kimi_chat_response_full_content(const kimi_chat_response *resp, size_t *len_out)
    "kimi_chat_response_full_content": ((P, LEN), P),
    # const char *kimi_chat_response_finish_reason(const kimi_chat_response *resp)
    "kimi_chat_response_finish_reason": ((P,), S),
    # size_t kimi_chat_response_tool_call_count(const kimi_chat_response *resp)
    "kimi_chat_response_tool_call_count": ((P,), c_size_t),
    # const char *kimi_chat_response_tool_call_id(const kimi_chat_response *resp, size_t i)
    "kimi_chat_response_tool_call_id": ((P, c_size_t), S),
    # const char *kimi_chat_response_tool_call_name(const kimi_chat_response *resp, size_t i)
    "kimi_chat_response_tool_call_name": ((P, c_size_t), S),
    # const char *kimi_chat_response_tool_call_arguments(const kimi_chat_response *resp, size_t i)
    "kimi_chat_response_tool_call_arguments": ((P, c_size_t), S),
    # int64_t kimi_chat_response_prompt_tokens(const kimi_chat_response *resp)
    "kimi_chat_response_prompt_tokens": ((P,), c_int64),
    # int64_t kimi_chat_response_completion_tokens(const kimi_chat_response *resp)
    "kimi_chat_response_completion_tokens": ((P,), c_int64),
    # int64_t kimi_chat_response_total_tokens(const kimi_chat_response *resp)
    "kimi_chat_response_total_tokens": ((P,), c_int64),
    # int64_t kimi_chat_response_cached_tokens(const kimi_chat_response *resp)
    "kimi_chat_response_cached_tokens": ((P,), c_int64),
    # double kimi_chat_response_cost_usd(const kimi_chat_response *resp)
    "kimi_chat_response_cost_usd": ((P,), c_double),
    # int64_t kimi_chat_response_web_search_calls(const kimi_chat_response *resp)
    "kimi_chat_response_web_search_calls": ((P,), c_int64),
    # const char *kimi_chat_response_id(const kimi_chat_response *resp)
    "kimi_chat_response_id": ((P,), S),
    # const char *kimi_chat_response_model(const kimi_chat_response *resp)
    "kimi_chat_response_model": ((P,), S),
    # int64_t kimi_chat_response_created(const kimi_chat_response *resp)
    "kimi_chat_response_created": ((P,), c_int64),
    # const char *kimi_chat_response_json(const kimi_chat_response *resp, size_t *len_out)
    "kimi_chat_response_json": ((P, LEN), P),
    # const char *kimi_chat_response_request_id(const kimi_chat_response *resp)
    "kimi_chat_response_request_id": ((P,), S),
    # const char *kimi_chat_response_header(const kimi_chat_response *resp, const char *name)
    "kimi_chat_response_header": ((P, S), S),
    # size_t kimi_chat_response_header_count(const kimi_chat_response *resp)
    "kimi_chat_response_header_count": ((P,), c_size_t),
    # const char *kimi_chat_response_header_name(const kimi_chat_response *resp, size_t i)
    "kimi_chat_response_header_name": ((P, c_size_t), S),
    # const char *kimi_chat_response_header_value(const kimi_chat_response *resp, size_t i)
    "kimi_chat_response_header_value": ((P, c_size_t), S),
    # int kimi_chat_response_http_status(const kimi_chat_response *resp)
    "kimi_chat_response_http_status": ((P,), c_int),
    # int kimi_chat_response_attempts(const kimi_chat_response *resp)
    "kimi_chat_response_attempts": ((P,), c_int),
    # double kimi_chat_response_elapsed_ms(const kimi_chat_response *resp)
    "kimi_chat_response_elapsed_ms": ((P,), c_double),
    # double kimi_chat_response_first_byte_ms(const kimi_chat_response *resp)
    "kimi_chat_response_first_byte_ms": ((P,), c_double),
    # double kimi_chat_response_first_token_ms(const kimi_chat_response *resp)
    "kimi_chat_response_first_token_ms": ((P,), c_double),
    # size_t kimi_chat_response_choice_count(const kimi_chat_response *resp)
    "kimi_chat_response_choice_count": ((P,), c_size_t),
    # const char *kimi_chat_response_choice_content(const kimi_chat_response *resp, size_t choice, size_t *len_out)
    "kimi_chat_response_choice_content": ((P, c_size_t, LEN), P),
    # const char *kimi_chat_response_choice_reasoning(const kimi_chat_response *resp, size_t choice, size_t *len_out)
    "kimi_chat_response_choice_reasoning": ((P, c_size_t, LEN), P),
    # const char *kimi_chat_response_choice_finish_reason(const kimi_chat_response *resp, size_t choice)
    "kimi_chat_response_choice_finish_reason": ((P, c_size_t), S),
    # size_t kimi_chat_response_choice_tool_call_count(const kimi_chat_response *resp, size_t choice)
    "kimi_chat_response_choice_tool_call_count": ((P, c_size_t), c_size_t),
    # const char *kimi_chat_response_choice_tool_call_id(const kimi_chat_response *resp, size_t choice, size_t i)
    "kimi_chat_response_choice_tool_call_id": ((P, c_size_t, c_size_t), S),
    # const char *kimi_chat_response_choice_tool_call_name(const kimi_chat_response *resp, size_t choice, size_t i)
    "kimi_chat_response_choice_tool_call_name": ((P, c_size_t, c_size_t), S),
    # const char *kimi_chat_response_choice_tool_call_arguments(const kimi_chat_response *resp, size_t choice,
    #     size_t i)
    "kimi_chat_response_choice_tool_call_arguments": ((P, c_size_t, c_size_t), S),
    # kimi_status kimi_file_upload(kimi_client *client, const char *path, const char *purpose,
    #     kimi_progress_cb progress, void *user_data, kimi_file **out)
    "kimi_file_upload": ((P, S, S, progress_cb, P, OUT), c_int),
    # kimi_status kimi_file_upload_data(kimi_client *client, const char *filename, const void *data, size_t len,
    #     const char *purpose, kimi_progress_cb progress, void *user_data, kimi_file **out)
    "kimi_file_upload_data": ((P, S, P, c_size_t, S, progress_cb, P, OUT), c_int),
    # kimi_status kimi_file_retrieve(kimi_client *client, const char *file_id, kimi_file **out)
    "kimi_file_retrieve": ((P, S, OUT), c_int),
    # kimi_status kimi_file_delete(kimi_client *client, const char *file_id)
    "kimi_file_delete": ((P, S), c_int),
    # kimi_status kimi_file_content(kimi_client *client, const char *file_id, char **content_out, size_t *len_out)
    "kimi_file_content": ((P, S, OUT, LEN), c_int),
    # kimi_status kimi_file_content_write(kimi_client *client, const char *file_id, kimi_write_cb write,
    #     kimi_progress_cb progress, void *user_data, uint64_t *bytes_out)
    "kimi_file_content_write": ((P, S, write_cb, progress_cb, P, POINTER(c_uint64)), c_int),
    # kimi_status kimi_file_content_to_fd(kimi_client *client, const char *file_id, int fd, kimi_progress_cb progress,
    #     void *user_data, uint64_t *bytes_out)
    "kimi_file_content_to_fd": ((P, S, c_int, progress_cb, P, POINTER(c_uint64)), c_int),
    # void kimi_file_free(kimi_file *file)
    "kimi_file_free": ((P,), None),
    # const char *kimi_file_id(const kimi_file *file)
    "kimi_file_id": ((P,), S),
    # const char *kimi_file_filename(const kimi_file *file)
    "kimi_file_filename": ((P,), S),
    # const char *kimi_file_purpose(const kimi_file *file)
    "kimi_file_purpose": ((P,), S),
    # const char *kimi_file_status(const kimi_file *file)
    "kimi_file_status": ((P,), S),
    # const char *kimi_file_status_details(const kimi_file *file)
    "kimi_file_status_details": ((P,), S),
    # int64_t kimi_file_bytes(const kimi_file *file)
    "kimi_file_bytes": ((P,), c_int64),
    # int64_t kimi_file_created_at(const kimi_file *file)
    "kimi_file_created_at": ((P,), c_int64),
    # const char *kimi_file_json(const kimi_file *file, size_t *len_out)
    "kimi_file_json": ((P, LEN), P),
    # kimi_status kimi_files_list(kimi_client *client, kimi_file_list **out)
    "kimi_files_list": ((P, OUT), c_int),
    # size_t kimi_file_list_count(const kimi_file_list *list)
    "kimi_file_list_count": ((P,), c_size_t),
    # const kimi_file *kimi_file_list_get(const kimi_file_list *list, size_t i)
    "kimi_file_list_get": ((P, c_size_t), P),
    # void kimi_file_list_free(kimi_file_list *list)
    "kimi_file_list_free": ((P,), None),
    # kimi_status kimi_file_iter_new(kimi_client *client, kimi_file_iter **out)
    "kimi_file_iter_new": ((P, OUT), c_int),
    # kimi_status kimi_file_iter_next(kimi_file_iter *iter, kimi_file **file_out)
    "kimi_file_iter_next": ((P, OUT), c_int),
    # void kimi_file_iter_free(kimi_file_iter *iter)
    "kimi_file_iter_free": ((P,), None),
    # kimi_status kimi_chat_estimate_tokens(kimi_client *client, const kimi_chat_request *req, int64_t *tokens_out)
    "kimi_chat_estimate_tokens": ((P, P, POINTER(c_int64)), c_int),
    # kimi_status kimi_model_retrieve(kimi_client *client, const char *model_id, kimi_model **out)
    "kimi_model_retrieve": ((P, S, OUT), c_int),
    # const char *kimi_model_id(const kimi_model *model)
    "kimi_model_id": ((P,), S),
    # const char *kimi_model_owned_by(const kimi_model *model)
    "kimi_model_owned_by": ((P,), S),
    # int64_t kimi_model_created(const kimi_model *model)
    "kimi_model_created": ((P,), c_int64),
    # int64_t kimi_model_context_length(const kimi_model *model)
    "kimi_model_context_length": ((P,), c_int64),
    # int kimi_model_supports_image_in(const kimi_model *model)
    "kimi_model_supports_image_in": ((P,), c_int),
    # int kimi_model_supports_video_in(const kimi_model *model)
    "kimi_model_supports_video_in": ((P,), c_int),
    # int kimi_model_supports_reasoning(const kimi_model *model)
    "kimi_model_supports_reasoning": ((P,), c_int),
    # void kimi_model_free(kimi_model *model)
    "kimi_model_free": ((P,), None),
    # kimi_status kimi_models_list(kimi_client *client, kimi_model_list **out)
    "kimi_models_list": ((P, OUT), c_int),
    # size_t kimi_model_list_count(const kimi_model_list *list)
    "kimi_model_list_count": ((P,), c_size_t),
    # const char *kimi_model_list_id(const kimi_model_list *list, size_t i)
    "kimi_model_list_id": ((P, c_size_t), S),
    # int64_t kimi_model_list_context_length(const kimi_model_list *list, size_t i)
    "kimi_model_list_context_length": ((P, c_size_t), c_int64),
    # int kimi_model_list_supports_image_in(const kimi_model_list *list, size_t i)
    "kimi_model_list_supports_image_in": ((P, c_size_t), c_int),
    # int kimi_model_list_supports_video_in(const kimi_model_list *list, size_t i)
    "kimi_model_list_supports_video_in": ((P, c_size_t), c_int),
    # int kimi_model_list_supports_reasoning(const kimi_model_list *list, size_t i)
    "kimi_model_list_supports_reasoning": ((P, c_size_t), c_int),
    # const kimi_model *kimi_model_list_get(const kimi_model_list *list, size_t i)
    "kimi_model_list_get": ((P, c_size_t), P),
    # void kimi_model_list_free(kimi_model_list *list)
    "kimi_model_list_free": ((P,), None),
    # kimi_status kimi_balance_get(kimi_client *client, double *available_out, double *voucher_out, double *cash_out)
    "kimi_balance_get": ((P, POINTER(c_double), POINTER(c_double), POINTER(c_double)), c_int),
    # kimi_cancel_token *kimi_cancel_token_new(void)
    "kimi_cancel_token_new": ((), P),
    # void kimi_cancel_token_cancel(kimi_cancel_token *token)
    "kimi_cancel_token_cancel": ((P,), None),
    # int kimi_cancel_token_is_cancelled(const kimi_cancel_token *token)
    "kimi_cancel_token_is_cancelled": ((P,), c_int),
    # void kimi_cancel_token_reset(kimi_cancel_token *token)
    "kimi_cancel_token_reset": ((P,), None),
    # void kimi_cancel_token_free(kimi_cancel_token *token)
    "kimi_cancel_token_free": ((P,), None),
    # kimi_status kimi_chat_request_set_cancel_token(kimi_chat_request *req, kimi_cancel_token *token)
    "kimi_chat_request_set_cancel_token": ((P, P), c_int),
    # kimi_status kimi_chat_stream(kimi_client *client, const kimi_chat_request *req, kimi_stream_cb on_event,
    #     void *user_data, kimi_chat_response **final_out)
    "kimi_chat_stream": ((P, P, stream_cb, P, OUT), c_int),
    # int kimi_stream_event_type(const kimi_stream_event *event)
    "kimi_stream_event_type": ((P,), c_int),
    # const char *kimi_stream_event_text(const kimi_stream_event *event, size_t *len_out)
    "kimi_stream_event_text": ((P, LEN), P),
    # int kimi_stream_event_choice_index(const kimi_stream_event *event)
    "kimi_stream_event_choice_index": ((P,), c_int),
    # int kimi_stream_event_tool_call_index(const kimi_stream_event *event)
    "kimi_stream_event_tool_call_index": ((P,), c_int),
    # const char *kimi_stream_event_tool_call_id(const kimi_stream_event *event)
    "kimi_stream_event_tool_call_id": ((P,), S),
    # const char *kimi_stream_event_tool_call_name(const kimi_stream_event *event)
    "kimi_stream_event_tool_call_name": ((P,), S),
    # const char *kimi_stream_event_finish_reason(const kimi_stream_event *event)
    "kimi_stream_event_finish_reason": ((P,), S),
    # const char *kimi_stream_event_json(const kimi_stream_event *event, size_t *len_out)
    "kimi_stream_event_json": ((P, LEN), P),
    # int kimi_stream_event_last_in_chunk(const kimi_stream_event *event)
    "kimi_stream_event_last_in_chunk": ((P,), c_int),
    # int kimi_stream_event_read(const kimi_stream_event *event, const char **text_out, size_t *len_out,
    #     int *choice_out, int *tool_call_out, int *last_out)
    "kimi_stream_event_read": ((P, OUT, LEN, POINTER(c_int), POINTER(c_int), POINTER(c_int)), c_int),
    # const char *kimi_stream_event_completion_id(const kimi_stream_event *event)
    "kimi_stream_event_completion_id": ((P,), S),
    # const char *kimi_stream_event_model(const kimi_stream_event *event)
    "kimi_stream_event_model": ((P,), S),
    # int64_t kimi_stream_event_created(const kimi_stream_event *event)
    "kimi_stream_event_created": ((P,), c_int64),
    # int64_t kimi_stream_event_prompt_tokens(const kimi_stream_event *event)
    "kimi_stream_event_prompt_tokens": ((P,), c_int64),
    # int64_t kimi_stream_event_completion_tokens(const kimi_stream_event *event)
    "kimi_stream_event_completion_tokens": ((P,), c_int64),
    # int64_t kimi_stream_event_total_tokens(const kimi_stream_event *event)
    "kimi_stream_event_total_tokens": ((P,), c_int64),
    # int64_t kimi_stream_event_cached_tokens(const kimi_stream_event *event)
    "kimi_stream_event_cached_tokens": ((P,), c_int64),
    # int kimi_stream_event_status(const kimi_stream_event *event)
    "kimi_stream_event_status": ((P,), c_int),
    # int kimi_stream_event_progress(const kimi_stream_event *event, int64_t *done_out, int64_t *total_out)
    "kimi_stream_event_progress": ((P, POINTER(c_int64), POINTER(c_int64)), c_int),
    # int kimi_stream_event_http_status(const kimi_stream_event *event)
    "kimi_stream_event_http_status": ((P,), c_int),
    # const char *kimi_stream_event_error(const kimi_stream_event *event)
    "kimi_stream_event_error": ((P,), S),
    # kimi_status kimi_stream_event_response(const kimi_stream_event *event, kimi_chat_response **out)
    "kimi_stream_event_response": ((P, OUT), c_int),
    # kimi_status kimi_chat_stream_open(kimi_client *client, const kimi_chat_request *req, kimi_stream **out)
    "kimi_chat_stream_open": ((P, P, OUT), c_int),
    # kimi_status kimi_stream_next(kimi_stream *stream, const kimi_stream_event **event_out)
    "kimi_stream_next": ((P, OUT), c_int),
    # void kimi_stream_cancel(kimi_stream *stream)
    "kimi_stream_cancel": ((P,), None),
    # kimi_status kimi_stream_response(kimi_stream *stream, kimi_chat_response **out)
    "kimi_stream_response": ((P, OUT), c_int),
    # kimi_status kimi_stream_head(kimi_stream *stream, kimi_chat_response **out)
    "kimi_stream_head": ((P, OUT), c_int),
    # void kimi_stream_free(kimi_stream *stream)
    "kimi_stream_free": ((P,), None),
    # kimi_status kimi_chat_stream_start(kimi_client *client, const kimi_chat_request *req, kimi_stream_cb on_event,
    #     void *user_data, kimi_task **out)
    "kimi_chat_stream_start": ((P, P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_chat_create_start(kimi_client *client, const kimi_chat_request *req, kimi_stream_cb on_end,
    #     void *user_data, kimi_task **out)
    "kimi_chat_create_start": ((P, P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_task_wait(kimi_task *task, int64_t timeout_ms)
    "kimi_task_wait": ((P, c_int64), c_int),
    # void kimi_task_cancel(kimi_task *task)
    "kimi_task_cancel": ((P,), None),
    # kimi_status kimi_task_status(const kimi_task *task)
    "kimi_task_status": ((P,), c_int),
    # kimi_status kimi_task_response(kimi_task *task, kimi_chat_response **out)
    "kimi_task_response": ((P, OUT), c_int),
    # kimi_status kimi_task_head(kimi_task *task, kimi_chat_response **out)
    "kimi_task_head": ((P, OUT), c_int),
    # void kimi_task_free(kimi_task *task)
    "kimi_task_free": ((P,), None),
    # kimi_status kimi_event_queue_new(kimi_event_queue **out)
    "kimi_event_queue_new": ((OUT,), c_int),
    # void kimi_event_queue_free(kimi_event_queue *queue)
    "kimi_event_queue_free": ((P,), None),
    # int kimi_event_queue_fd(const kimi_event_queue *queue)
    "kimi_event_queue_fd": ((P,), c_int),
    # kimi_status kimi_event_queue_next(kimi_event_queue *queue, const kimi_stream_event **event_out)
    "kimi_event_queue_next": ((P, OUT), c_int),
    # kimi_status kimi_chat_stream_start_queued(kimi_client *client, const kimi_chat_request *req,
    #     kimi_event_queue *queue, void *user_data, kimi_task **out)
    "kimi_chat_stream_start_queued": ((P, P, P, P, OUT), c_int),
    # kimi_status kimi_chat_create_start_queued(kimi_client *client, const kimi_chat_request *req,
    #     kimi_event_queue *queue, void *user_data, kimi_task **out)
    "kimi_chat_create_start_queued": ((P, P, P, P, OUT), c_int),
    # int kimi_event_queue_read(kimi_event_queue *queue, const kimi_stream_event **event_out, void **user_data_out,
    #     const char **text_out, size_t *len_out, int32_t *choice_out, int32_t *tool_call_out, int32_t *last_out)
    "kimi_event_queue_read": ((P, OUT, OUT, OUT, LEN, POINTER(c_int32), POINTER(c_int32), POINTER(c_int32)), c_int),
    # kimi_task *kimi_stream_event_task(const kimi_stream_event *event)
    "kimi_stream_event_task": ((P,), P),
    # void *kimi_stream_event_user_data(const kimi_stream_event *event)
    "kimi_stream_event_user_data": ((P,), P),
    # kimi_status kimi_stream_read_records(kimi_stream *stream, void *buffer, size_t capacity, size_t *len_out)
    "kimi_stream_read_records": ((P, P, c_size_t, LEN), c_int),
    # kimi_status kimi_event_queue_read_records(kimi_event_queue *queue, void *buffer, size_t capacity,
    #     size_t *len_out)
    "kimi_event_queue_read_records": ((P, P, c_size_t, LEN), c_int),
    # kimi_status kimi_chat_response_read_records(const kimi_chat_response *resp, void *buffer, size_t capacity,
    #     size_t *len_out)
    "kimi_chat_response_read_records": ((P, P, c_size_t, LEN), c_int),
    # kimi_conversation *kimi_conversation_new(kimi_client *client, const char *model)
    "kimi_conversation_new": ((P, S), P),
    # void kimi_conversation_free(kimi_conversation *conv)
    "kimi_conversation_free": ((P,), None),
    # kimi_chat_request *kimi_conversation_request(kimi_conversation *conv)
    "kimi_conversation_request": ((P,), P),
    # kimi_status kimi_conversation_add_message(kimi_conversation *conv, const char *role, const char *text)
    "kimi_conversation_add_message": ((P, S, S), c_int),
    # kimi_status kimi_conversation_append_message(kimi_conversation *conv, const kimi_message *msg)
    "kimi_conversation_append_message": ((P, P), c_int),
    # kimi_status kimi_conversation_add_tool_result(kimi_conversation *conv, const char *tool_call_id, const char *name,
    #     const char *content)
    "kimi_conversation_add_tool_result": ((P, S, S, S), c_int),
    # size_t kimi_conversation_message_count(const kimi_conversation *conv)
    "kimi_conversation_message_count": ((P,), c_size_t),
    # kimi_status kimi_conversation_create(kimi_conversation *conv, kimi_chat_response **out)
    "kimi_conversation_create": ((P, OUT), c_int),
    # kimi_status kimi_conversation_stream(kimi_conversation *conv, kimi_stream_cb on_event, void *user_data,
    #     kimi_chat_response **final_out)
    "kimi_conversation_stream": ((P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_tool_result_set_text(kimi_tool_result *result, const char *text)
    "kimi_tool_result_set_text": ((P, S), c_int),
    # kimi_status kimi_conversation_add_tool(kimi_conversation *conv, const char *name, const char *description,
    #     const char *parameters_json, kimi_tool_fn fn, void *user_data)
    "kimi_conversation_add_tool": ((P, S, S, S, tool_fn, P), c_int),
    # kimi_status kimi_conversation_add_web_search(kimi_conversation *conv)
    "kimi_conversation_add_web_search": ((P,), c_int),
    # kimi_status kimi_conversation_run(kimi_conversation *conv, int max_steps, kimi_stream_cb on_event,
    #     void *user_data, kimi_chat_response **final_out)
    "kimi_conversation_run": ((P, c_int, stream_cb, P, OUT), c_int),
    # kimi_status kimi_conversation_prefill(kimi_conversation *conv, const char *prefix, const char *name)
    "kimi_conversation_prefill": ((P, S, S), c_int),
    # kimi_status kimi_conversation_continue(kimi_conversation *conv, kimi_stream_cb on_event, void *user_data,
    #     kimi_chat_response **final_out)
    "kimi_conversation_continue": ((P, stream_cb, P, OUT), c_int),
    # char *kimi_conversation_to_json(const kimi_conversation *conv)
    "kimi_conversation_to_json": ((P,), P),
    # kimi_status kimi_conversation_load_json(kimi_conversation *conv, const char *json)
    "kimi_conversation_load_json": ((P, S), c_int),
    # int64_t kimi_client_usage_prompt_tokens(const kimi_client *client)
    "kimi_client_usage_prompt_tokens": ((P,), c_int64),
    # int64_t kimi_client_usage_cached_tokens(const kimi_client *client)
    "kimi_client_usage_cached_tokens": ((P,), c_int64),
    # int64_t kimi_client_usage_completion_tokens(const kimi_client *client)
    "kimi_client_usage_completion_tokens": ((P,), c_int64),
    # int64_t kimi_client_usage_responses(const kimi_client *client)
    "kimi_client_usage_responses": ((P,), c_int64),
    # int64_t kimi_client_usage_web_search_calls(const kimi_client *client)
    "kimi_client_usage_web_search_calls": ((P,), c_int64),
    # double kimi_client_usage_cost_usd(const kimi_client *client)
    "kimi_client_usage_cost_usd": ((P,), c_double),
    # void kimi_client_usage_reset(kimi_client *client)
    "kimi_client_usage_reset": ((P,), None),
    # kimi_batch_input *kimi_batch_input_new(const char *path)
    "kimi_batch_input_new": ((S,), P),
    # kimi_status kimi_batch_input_add(kimi_batch_input *input, const char *custom_id, const kimi_chat_request *req)
    "kimi_batch_input_add": ((P, S, P), c_int),
    # size_t kimi_batch_input_count(const kimi_batch_input *input)
    "kimi_batch_input_count": ((P,), c_size_t),
    # kimi_status kimi_batch_input_close(kimi_batch_input *input, size_t *count_out)
    "kimi_batch_input_close": ((P, LEN), c_int),
    # void kimi_batch_input_free(kimi_batch_input *input)
    "kimi_batch_input_free": ((P,), None),
    # kimi_status kimi_batch_submit(kimi_client *client, const char *jsonl_path, const char *completion_window,
    #     const char *metadata_json, kimi_batch **out)
    "kimi_batch_submit": ((P, S, S, S, OUT), c_int),
    # kimi_status kimi_batch_create(kimi_client *client, const char *input_file_id, const char *completion_window,
    #     const char *metadata_json, kimi_batch **out)
    "kimi_batch_create": ((P, S, S, S, OUT), c_int),
    # kimi_status kimi_batch_retrieve(kimi_client *client, const char *batch_id, kimi_batch **out)
    "kimi_batch_retrieve": ((P, S, OUT), c_int),
    # kimi_status kimi_batch_cancel(kimi_client *client, kimi_batch *batch)
    "kimi_batch_cancel": ((P, P), c_int),
    # kimi_status kimi_batch_wait(kimi_client *client, kimi_batch *batch, uint32_t poll_ms, kimi_batch_progress_cb cb,
    #     void *user_data)
    "kimi_batch_wait": ((P, P, c_uint32, batch_progress_cb, P), c_int),
    # kimi_status kimi_batch_results(kimi_client *client, const kimi_batch *batch, kimi_batch_result_cb cb,
    #     void *user_data)
    "kimi_batch_results": ((P, P, batch_result_cb, P), c_int),
    # kimi_status kimi_batch_set_cancel_token(kimi_batch *batch, kimi_cancel_token *token)
    "kimi_batch_set_cancel_token": ((P, P), c_int),
    # void kimi_batch_free(kimi_batch *batch)
    "kimi_batch_free": ((P,), None),
    # const char *kimi_batch_id(const kimi_batch *batch)
    "kimi_batch_id": ((P,), S),
    # const char *kimi_batch_status(const kimi_batch *batch)
    "kimi_batch_status": ((P,), S),
    # int kimi_batch_is_final(const kimi_batch *batch)
    "kimi_batch_is_final": ((P,), c_int),
    # const char *kimi_batch_input_file_id(const kimi_batch *batch)
    "kimi_batch_input_file_id": ((P,), S),
    # const char *kimi_batch_output_file_id(const kimi_batch *batch)
    "kimi_batch_output_file_id": ((P,), S),
    # const char *kimi_batch_error_file_id(const kimi_batch *batch)
    "kimi_batch_error_file_id": ((P,), S),
    # const char *kimi_batch_completion_window(const kimi_batch *batch)
    "kimi_batch_completion_window": ((P,), S),
    # const char *kimi_batch_error_message(const kimi_batch *batch)
    "kimi_batch_error_message": ((P,), S),
    # int64_t kimi_batch_total(const kimi_batch *batch)
    "kimi_batch_total": ((P,), c_int64),
    # int64_t kimi_batch_completed(const kimi_batch *batch)
    "kimi_batch_completed": ((P,), c_int64),
    # int64_t kimi_batch_failed(const kimi_batch *batch)
    "kimi_batch_failed": ((P,), c_int64),
    # int64_t kimi_batch_created_at(const kimi_batch *batch)
    "kimi_batch_created_at": ((P,), c_int64),
    # int64_t kimi_batch_in_progress_at(const kimi_batch *batch)
    "kimi_batch_in_progress_at": ((P,), c_int64),
    # int64_t kimi_batch_finalizing_at(const kimi_batch *batch)
    "kimi_batch_finalizing_at": ((P,), c_int64),
    # int64_t kimi_batch_completed_at(const kimi_batch *batch)
    "kimi_batch_completed_at": ((P,), c_int64),
    # int64_t kimi_batch_failed_at(const kimi_batch *batch)
    "kimi_batch_failed_at": ((P,), c_int64),
    # int64_t kimi_batch_expired_at(const kimi_batch *batch)
    "kimi_batch_expired_at": ((P,), c_int64),
    # int64_t kimi_batch_cancelling_at(const kimi_batch *batch)
    "kimi_batch_cancelling_at": ((P,), c_int64),
    # int64_t kimi_batch_cancelled_at(const kimi_batch *batch)
    "kimi_batch_cancelled_at": ((P,), c_int64),
    # int64_t kimi_batch_expires_at(const kimi_batch *batch)
    "kimi_batch_expires_at": ((P,), c_int64),
    # const char *kimi_batch_json(const kimi_batch *batch, size_t *len_out)
    "kimi_batch_json": ((P, LEN), P),
    # kimi_status kimi_batch_list(kimi_client *client, const char *after, int limit, kimi_batch_page **out)
    "kimi_batch_list": ((P, S, c_int, OUT), c_int),
    # size_t kimi_batch_page_count(const kimi_batch_page *page)
    "kimi_batch_page_count": ((P,), c_size_t),
    # const kimi_batch *kimi_batch_page_get(const kimi_batch_page *page, size_t i)
    "kimi_batch_page_get": ((P, c_size_t), P),
    # int kimi_batch_page_has_more(const kimi_batch_page *page)
    "kimi_batch_page_has_more": ((P,), c_int),
    # const char *kimi_batch_page_last_id(const kimi_batch_page *page)
    "kimi_batch_page_last_id": ((P,), S),
    # void kimi_batch_page_free(kimi_batch_page *page)
    "kimi_batch_page_free": ((P,), None),
    # kimi_status kimi_batch_iter_new(kimi_client *client, const char *after, int limit, kimi_batch_iter **out)
    "kimi_batch_iter_new": ((P, S, c_int, OUT), c_int),
    # kimi_status kimi_batch_iter_next(kimi_batch_iter *iter, kimi_batch **batch_out)
    "kimi_batch_iter_next": ((P, OUT), c_int),
    # void kimi_batch_iter_free(kimi_batch_iter *iter)
    "kimi_batch_iter_free": ((P,), None),
    # kimi_status kimi_file_upload_start(kimi_client *client, const char *path, const char *purpose,
    #     kimi_event_queue *queue, kimi_stream_cb on_event, void *user_data, kimi_task **out)
    "kimi_file_upload_start": ((P, S, S, P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_file_upload_data_start(kimi_client *client, const char *filename, const void *data, size_t len,
    #     const char *purpose, kimi_event_queue *queue, kimi_stream_cb on_event, void *user_data, kimi_task **out)
    "kimi_file_upload_data_start": ((P, S, P, c_size_t, S, P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_file_retrieve_start(kimi_client *client, const char *file_id, kimi_event_queue *queue,
    #     kimi_stream_cb on_event, void *user_data, kimi_task **out)
    "kimi_file_retrieve_start": ((P, S, P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_file_delete_start(kimi_client *client, const char *file_id, kimi_event_queue *queue,
    #     kimi_stream_cb on_event, void *user_data, kimi_task **out)
    "kimi_file_delete_start": ((P, S, P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_file_content_start(kimi_client *client, const char *file_id, kimi_event_queue *queue,
    #     kimi_stream_cb on_event, void *user_data, kimi_task **out)
    "kimi_file_content_start": ((P, S, P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_files_list_start(kimi_client *client, kimi_event_queue *queue, kimi_stream_cb on_event,
    #     void *user_data, kimi_task **out)
    "kimi_files_list_start": ((P, P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_batch_create_start(kimi_client *client, const char *input_file_id, const char *completion_window,
    #     const char *metadata_json, kimi_event_queue *queue, kimi_stream_cb on_event, void *user_data,
    #     kimi_task **out)
    "kimi_batch_create_start": ((P, S, S, S, P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_batch_submit_start(kimi_client *client, const char *jsonl_path, const char *completion_window,
    #     const char *metadata_json, kimi_event_queue *queue, kimi_stream_cb on_event, void *user_data,
    #     kimi_task **out)
    "kimi_batch_submit_start": ((P, S, S, S, P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_batch_retrieve_start(kimi_client *client, const char *batch_id, kimi_event_queue *queue,
    #     kimi_stream_cb on_event, void *user_data, kimi_task **out)
    "kimi_batch_retrieve_start": ((P, S, P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_batch_list_start(kimi_client *client, const char *after, int limit, kimi_event_queue *queue,
    #     kimi_stream_cb on_event, void *user_data, kimi_task **out)
    "kimi_batch_list_start": ((P, S, c_int, P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_batch_cancel_start(kimi_client *client, const kimi_batch *batch, kimi_event_queue *queue,
    #     kimi_stream_cb on_event, void *user_data, kimi_task **out)
    "kimi_batch_cancel_start": ((P, P, P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_batch_wait_start(kimi_client *client, const kimi_batch *batch, uint32_t poll_ms,
    #     kimi_event_queue *queue, kimi_stream_cb on_event, void *user_data, kimi_task **out)
    "kimi_batch_wait_start": ((P, P, c_uint32, P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_batch_results_start(kimi_client *client, const kimi_batch *batch, kimi_event_queue *queue,
    #     kimi_stream_cb on_event, void *user_data, kimi_task **out)
    "kimi_batch_results_start": ((P, P, P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_models_list_start(kimi_client *client, kimi_event_queue *queue, kimi_stream_cb on_event,
    #     void *user_data, kimi_task **out)
    "kimi_models_list_start": ((P, P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_model_retrieve_start(kimi_client *client, const char *model_id, kimi_event_queue *queue,
    #     kimi_stream_cb on_event, void *user_data, kimi_task **out)
    "kimi_model_retrieve_start": ((P, S, P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_balance_start(kimi_client *client, kimi_event_queue *queue, kimi_stream_cb on_event,
    #     void *user_data, kimi_task **out)
    "kimi_balance_start": ((P, P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_chat_estimate_tokens_start(kimi_client *client, const kimi_chat_request *req,
    #     kimi_event_queue *queue, kimi_stream_cb on_event, void *user_data, kimi_task **out)
    "kimi_chat_estimate_tokens_start": ((P, P, P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_chat_fit_max_completion_tokens_start(kimi_client *client, const kimi_chat_request *req,
    #     kimi_event_queue *queue, kimi_stream_cb on_event, void *user_data, kimi_task **out)
    "kimi_chat_fit_max_completion_tokens_start": ((P, P, P, stream_cb, P, OUT), c_int),
    # kimi_status kimi_task_file(kimi_task *task, kimi_file **out)
    "kimi_task_file": ((P, OUT), c_int),
    # kimi_status kimi_task_file_list(kimi_task *task, kimi_file_list **out)
    "kimi_task_file_list": ((P, OUT), c_int),
    # kimi_status kimi_task_batch(kimi_task *task, kimi_batch **out)
    "kimi_task_batch": ((P, OUT), c_int),
    # kimi_status kimi_task_batch_page(kimi_task *task, kimi_batch_page **out)
    "kimi_task_batch_page": ((P, OUT), c_int),
    # kimi_status kimi_task_model(kimi_task *task, kimi_model **out)
    "kimi_task_model": ((P, OUT), c_int),
    # kimi_status kimi_task_model_list(kimi_task *task, kimi_model_list **out)
    "kimi_task_model_list": ((P, OUT), c_int),
    # kimi_status kimi_task_balance(kimi_task *task, double *available_out, double *voucher_out, double *cash_out)
    "kimi_task_balance": ((P, POINTER(c_double), POINTER(c_double), POINTER(c_double)), c_int),
    # kimi_status kimi_task_count(kimi_task *task, int64_t *out)
    "kimi_task_count": ((P, POINTER(c_int64)), c_int),
    # kimi_status kimi_stream_event_batch(const kimi_stream_event *event, kimi_batch **out)
    "kimi_stream_event_batch": ((P, OUT), c_int),
}

BLOCKING = frozenset((
    "kimi_client_free",
    "kimi_chat_create",
    "kimi_chat_continue",
    "kimi_chat_fit_max_completion_tokens",
    "kimi_file_upload",
    "kimi_file_upload_data",
    "kimi_file_retrieve",
    "kimi_file_delete",
    "kimi_file_content",
    "kimi_file_content_write",
    "kimi_file_content_to_fd",
    "kimi_files_list",
    "kimi_file_iter_next",
    "kimi_chat_estimate_tokens",
    "kimi_model_retrieve",
    "kimi_models_list",
    "kimi_balance_get",
    "kimi_chat_stream",
    "kimi_chat_stream_open",
    "kimi_stream_next",
    "kimi_stream_free",
    "kimi_task_wait",
    "kimi_task_free",
    "kimi_stream_read_records",
    "kimi_conversation_create",
    "kimi_conversation_stream",
    "kimi_conversation_run",
    "kimi_conversation_continue",
    "kimi_batch_input_add",
    "kimi_batch_input_close",
    "kimi_batch_input_free",
    "kimi_batch_submit",
    "kimi_batch_create",
    "kimi_batch_retrieve",
    "kimi_batch_cancel",
    "kimi_batch_wait",
    "kimi_batch_results",
    "kimi_batch_list",
    "kimi_batch_iter_next",
))
