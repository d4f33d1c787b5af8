"""The only ctypes module: finds and loads libkimi.so, checks its version,
and declares argtypes and restype for every C function (each under its C
prototype), so no call relies on ctypes' default int return."""

import ctypes
import os
from ctypes import (CFUNCTYPE, POINTER, c_char_p, c_double, c_int, c_int32, c_int64, c_size_t, c_uint32,
                    c_uint64, c_void_p)

EXPECTED_VERSION = (0, 3, 0)


def _candidates():
    """Where libkimi.so is looked for, in order."""
    here = os.path.dirname(os.path.abspath(__file__))
    override = os.environ.get("LIBKIMI_LIBRARY")
    if override:
        yield "LIBKIMI_LIBRARY", override
    for name in ("libkimi.so.0", "libkimi.so"):
        yield "inside the package", os.path.join(here, name)
    # A source checkout: bindings/python/src/libkimi -> <repo>/build
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(here))))
    yield "the build tree", os.path.join(repo, "build", "libkimi.so.0")
    yield "the system", "libkimi.so.0"


def _load():
    tried = []
    for where, path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(f"{path} ({where}: not found)")
            if where == "LIBKIMI_LIBRARY":
                break
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as exc:
            tried.append(f"{path} ({where}: {exc})")
            if where == "LIBKIMI_LIBRARY":
                break
    raise OSError("cannot load libkimi; tried:\n  " + "\n  ".join(tried)
                  + "\nBuild it with `make` in the libkimi repository, install it with `make install`, "
                    "or set LIBKIMI_LIBRARY to the library's path.")


lib, path = _load()

# C callback types
stream_cb = CFUNCTYPE(c_int, c_void_p, c_void_p)              # int (*)(const kimi_stream_event *, void *)
progress_cb = CFUNCTYPE(c_int, c_uint64, c_uint64, c_void_p)  # int (*)(uint64_t, uint64_t, void *)
write_cb = CFUNCTYPE(c_int, c_void_p, c_size_t, c_void_p)     # int (*)(const void *, size_t, void *)
tool_fn = CFUNCTYPE(c_int, c_char_p, c_char_p, c_void_p, c_void_p)  # int (*)(name, args, result, void *)
log_cb = CFUNCTYPE(None, c_int, c_char_p, c_void_p)           # void (*)(int, const char *, void *)
# int (*)(const kimi_batch *, int64_t completed, int64_t failed, int64_t total, void *)
batch_progress_cb = CFUNCTYPE(c_int, c_void_p, c_int64, c_int64, c_int64, c_void_p)
# int (*)(const char *custom_id, const kimi_chat_response *, int http_status, const char *error_message, void *)
batch_result_cb = CFUNCTYPE(c_int, c_char_p, c_void_p, c_int, c_char_p, c_void_p)

P = c_void_p          # any kimi_* handle
S = c_char_p          # const char * in, or a NUL-terminated string out (copied to bytes)
OUT = POINTER(c_void_p)
LEN = POINTER(c_size_t)

_DECLARATIONS = [
    # const char *kimi_version(void); int kimi_version_number(void);
    ("kimi_version", [], S),
    ("kimi_version_number", [], c_int),
    # const char *kimi_status_str(kimi_status);
    ("kimi_status_str", [c_int], S),
    # kimi_status kimi_error_status(void); const char *kimi_error_message(void); ...
    ("kimi_error_status", [], c_int),
    ("kimi_error_message", [], S),
    ("kimi_error_http_status", [], c_int),
    ("kimi_error_type", [], S),
    ("kimi_error_code", [], S),
    ("kimi_error_request_id", [], S),
    ("kimi_error_retry_after_ms", [], c_int64),
    ("kimi_error_body", [], S),
    ("kimi_error_kind", [], c_int),
    ("kimi_error_detail", [], S),
    ("kimi_error_hint", [], S),
    ("kimi_error_header", [S], S),
    ("kimi_error_header_count", [], c_size_t),
    ("kimi_error_header_name", [c_size_t], S),
    ("kimi_error_header_value", [c_size_t], S),
    ("kimi_error_clear", [], None),
    # void kimi_string_free(char *);
    ("kimi_string_free", [c_void_p], None),
    # kimi_client_options *kimi_client_options_new(void); void kimi_client_options_free(kimi_client_options *);
    ("kimi_client_options_new", [], P),
    ("kimi_client_options_free", [P], None),
    # kimi_status kimi_client_options_set_*(kimi_client_options *, ...);
    ("kimi_client_options_set_api_key", [P, S], c_int),
    ("kimi_client_options_set_base_url", [P, S], c_int),
    ("kimi_client_options_set_connect_timeout_ms", [P, c_uint32], c_int),
    ("kimi_client_options_set_timeout_ms", [P, c_uint32], c_int),
    ("kimi_client_options_set_idle_timeout_ms", [P, c_uint32], c_int),
    ("kimi_client_options_add_header", [P, S, S], c_int),
    ("kimi_client_options_set_user_agent", [P, S], c_int),
    ("kimi_client_options_set_ca_file", [P, S], c_int),
    ("kimi_client_options_set_proxy", [P, S], c_int),
    ("kimi_client_options_set_max_response_bytes", [P, c_uint64], c_int),
    ("kimi_client_options_set_max_event_bytes", [P, c_uint64], c_int),
    ("kimi_client_options_set_max_retries", [P, c_uint32], c_int),
    ("kimi_client_options_set_max_connections", [P, c_uint32], c_int),
    ("kimi_client_options_set_retry_delay_ms", [P, c_uint32, c_uint32], c_int),
    ("kimi_client_options_set_kimi_rules", [P, c_int], c_int),
    ("kimi_client_options_set_auto_upload", [P, c_int], c_int),
    ("kimi_client_options_set_log", [P, c_int, log_cb, c_void_p], c_int),
    # kimi_status kimi_client_new(const kimi_client_options *, kimi_client **); void kimi_client_free(kimi_client *);
    ("kimi_client_new", [P, OUT], c_int),
    ("kimi_client_free", [P], None),
    ("kimi_client_base_url", [P], S),
    # kimi_call_options *kimi_call_options_new(void); ... kimi_client_with_options(client, opts, &out)
    ("kimi_call_options_new", [], P),
    ("kimi_call_options_free", [P], None),
    ("kimi_call_options_set_timeout_ms", [P, c_uint32], c_int),
    ("kimi_call_options_set_idle_timeout_ms", [P, c_uint32], c_int),
    ("kimi_call_options_set_max_retries", [P, c_int32], c_int),
    ("kimi_call_options_add_header", [P, S, S], c_int),
    ("kimi_call_options_add_query", [P, S, S], c_int),
    ("kimi_call_options_set_cancel_token", [P, P], c_int),
    ("kimi_client_with_options", [P, P, OUT], c_int),
    # kimi_message *kimi_message_new(const char *role); ...
    ("kimi_message_new", [S], P),
    ("kimi_message_free", [P], None),
    ("kimi_message_from_json", [S, OUT], c_int),
    ("kimi_message_add_text", [P, S], c_int),
    ("kimi_message_set_name", [P, S], c_int),
    ("kimi_message_set_partial", [P, c_int], c_int),
    ("kimi_message_set_reasoning_content", [P, S], c_int),
    ("kimi_message_add_tool_call", [P, S, S, S], c_int),
    ("kimi_message_set_tool_call_id", [P, S], c_int),
    ("kimi_message_add_image_data", [P, S, c_void_p, c_size_t], c_int),
    ("kimi_message_add_image_file", [P, S], c_int),
    ("kimi_message_add_image_url", [P, S], c_int),
    ("kimi_message_add_video_data", [P, S, c_void_p, c_size_t], c_int),
    ("kimi_message_add_video_file", [P, S], c_int),
    ("kimi_message_add_video_url", [P, S], c_int),
    ("kimi_message_set_media_reuse", [P, c_int], c_int),
    # kimi_chat_request *kimi_chat_request_new(const char *model); ...
    ("kimi_chat_request_new", [S], P),
    ("kimi_chat_request_free", [P], None),
    ("kimi_chat_request_set_model", [P, S], c_int),
    ("kimi_chat_request_add_message", [P, S, S], c_int),
    ("kimi_chat_request_append_message", [P, P], c_int),
    ("kimi_chat_request_message_count", [P], c_size_t),
    ("kimi_chat_request_set_thinking", [P, c_int], c_int),
    ("kimi_chat_request_set_max_completion_tokens", [P, c_int64], c_int),
    ("kimi_chat_request_set_max_tokens", [P, c_int64], c_int),
    ("kimi_chat_request_set_temperature", [P, c_double], c_int),
    ("kimi_chat_request_set_top_p", [P, c_double], c_int),
    ("kimi_chat_request_set_n", [P, c_int64], c_int),
    ("kimi_chat_request_set_presence_penalty", [P, c_double], c_int),
    ("kimi_chat_request_set_frequency_penalty", [P, c_double], c_int),
    ("kimi_chat_request_set_response_format", [P, S], c_int),
    ("kimi_chat_request_set_response_format_json_schema", [P, S, S, c_int], c_int),
    ("kimi_chat_request_add_stop", [P, S], c_int),
    ("kimi_chat_request_set_prompt_cache_key", [P, S], c_int),
    ("kimi_chat_request_set_safety_identifier", [P, S], c_int),
    ("kimi_chat_request_set_include_usage", [P, c_int], c_int),
    ("kimi_chat_request_set_extra_json", [P, S], c_int),
    # kimi_status kimi_chat_request_set_timeout_ms(kimi_chat_request *, uint32_t); ... add_header, add_query
    ("kimi_chat_request_set_timeout_ms", [P, c_uint32], c_int),
    ("kimi_chat_request_set_idle_timeout_ms", [P, c_uint32], c_int),
    ("kimi_chat_request_set_max_retries", [P, c_int32], c_int),
    ("kimi_chat_request_add_header", [P, S, S], c_int),
    ("kimi_chat_request_add_query", [P, S, S], c_int),
    ("kimi_chat_request_add_tool", [P, S, S, S, c_int], c_int),
    ("kimi_chat_request_add_web_search", [P], c_int),
    ("kimi_chat_request_set_tool_choice", [P, S], c_int),
    ("kimi_chat_request_set_tool_choice_function", [P, S], c_int),
    ("kimi_chat_request_add_tool_result", [P, S, S, S], c_int),
    ("kimi_chat_request_append_response", [P, P], c_int),
    ("kimi_chat_request_set_prefill", [P, S, S], c_int),
    ("kimi_chat_request_set_cancel_token", [P, P], c_int),
    ("kimi_chat_request_from_json", [S, OUT], c_int),
    # char *kimi_chat_request_to_json(const kimi_chat_request *): an owned string
    ("kimi_chat_request_to_json", [P], c_void_p),
    # kimi_status kimi_chat_create(kimi_client *, const kimi_chat_request *, kimi_chat_response **);
    ("kimi_chat_create", [P, P, OUT], c_int),
    ("kimi_chat_continue", [P, P, P, OUT], c_int),
    ("kimi_chat_response_free", [P], None),
    # const char *kimi_chat_response_content(const kimi_chat_response *, size_t *len_out); ...
    ("kimi_chat_response_content", [P, LEN], c_void_p),
    ("kimi_chat_response_reasoning", [P, LEN], c_void_p),
    ("kimi_chat_response_full_content", [P, LEN], c_void_p),
    ("kimi_chat_response_finish_reason", [P], S),
    ("kimi_chat_response_tool_call_count", [P], c_size_t),
    ("kimi_chat_response_tool_call_id", [P, c_size_t], S),
    ("kimi_chat_response_tool_call_name", [P, c_size_t], S),
    ("kimi_chat_response_tool_call_arguments", [P, c_size_t], S),
    ("kimi_chat_response_prompt_tokens", [P], c_int64),
    ("kimi_chat_response_completion_tokens", [P], c_int64),
    ("kimi_chat_response_total_tokens", [P], c_int64),
    ("kimi_chat_response_cached_tokens", [P], c_int64),
    ("kimi_chat_response_id", [P], S),
    ("kimi_chat_response_model", [P], S),
    ("kimi_chat_response_created", [P], c_int64),
    ("kimi_chat_response_json", [P, LEN], c_void_p),
    # const char *kimi_chat_response_request_id(resp); header(resp, name); header_count/name/value; ...
    ("kimi_chat_response_request_id", [P], S),
    ("kimi_chat_response_header", [P, S], S),
    ("kimi_chat_response_header_count", [P], c_size_t),
    ("kimi_chat_response_header_name", [P, c_size_t], S),
    ("kimi_chat_response_header_value", [P, c_size_t], S),
    ("kimi_chat_response_http_status", [P], c_int),
    ("kimi_chat_response_attempts", [P], c_int),
    ("kimi_chat_response_elapsed_ms", [P], c_double),
    ("kimi_chat_response_first_byte_ms", [P], c_double),
    ("kimi_chat_response_first_token_ms", [P], c_double),
    ("kimi_chat_response_choice_count", [P], c_size_t),
    ("kimi_chat_response_choice_content", [P, c_size_t, LEN], c_void_p),
    ("kimi_chat_response_choice_reasoning", [P, c_size_t, LEN], c_void_p),
    ("kimi_chat_response_choice_finish_reason", [P, c_size_t], S),
    ("kimi_chat_response_choice_tool_call_count", [P, c_size_t], c_size_t),
    ("kimi_chat_response_choice_tool_call_id", [P, c_size_t, c_size_t], S),
    ("kimi_chat_response_choice_tool_call_name", [P, c_size_t, c_size_t], S),
    ("kimi_chat_response_choice_tool_call_arguments", [P, c_size_t, c_size_t], S),
    # Files: kimi_status kimi_file_upload(kimi_client *, const char *path, const char *purpose, kimi_progress_cb, void *, kimi_file **);
    ("kimi_file_upload", [P, S, S, progress_cb, c_void_p, OUT], c_int),
    ("kimi_file_upload_data", [P, S, c_void_p, c_size_t, S, progress_cb, c_void_p, OUT], c_int),
    ("kimi_file_retrieve", [P, S, OUT], c_int),
    ("kimi_file_delete", [P, S], c_int),
    # kimi_status kimi_file_content(kimi_client *, const char *, char **content_out, size_t *len_out);
    ("kimi_file_content", [P, S, OUT, LEN], c_int),
    # kimi_status kimi_file_content_write(kimi_client *, const char *, kimi_write_cb, kimi_progress_cb, void *, uint64_t *);
    ("kimi_file_content_write", [P, S, write_cb, progress_cb, c_void_p, POINTER(c_uint64)], c_int),
    ("kimi_file_content_to_fd", [P, S, c_int, progress_cb, c_void_p, POINTER(c_uint64)], c_int),
    ("kimi_file_free", [P], None),
    ("kimi_file_id", [P], S),
    ("kimi_file_filename", [P], S),
    ("kimi_file_purpose", [P], S),
    ("kimi_file_status", [P], S),
    ("kimi_file_status_details", [P], S),
    ("kimi_file_bytes", [P], c_int64),
    ("kimi_file_created_at", [P], c_int64),
    ("kimi_file_json", [P, LEN], c_void_p),
    ("kimi_files_list", [P, OUT], c_int),
    ("kimi_file_list_count", [P], c_size_t),
    ("kimi_file_list_get", [P, c_size_t], P),
    ("kimi_file_list_free", [P], None),
    # kimi_status kimi_file_iter_new(kimi_client *, kimi_file_iter **); ..._next(kimi_file_iter *, kimi_file **);
    ("kimi_file_iter_new", [P, OUT], c_int),
    ("kimi_file_iter_next", [P, OUT], c_int),
    ("kimi_file_iter_free", [P], None),
    # Token estimates, models, balance
    ("kimi_chat_estimate_tokens", [P, P, POINTER(c_int64)], c_int),
    ("kimi_chat_fit_max_completion_tokens", [P, P, POINTER(c_int64)], c_int),
    ("kimi_models_list", [P, OUT], c_int),
    ("kimi_model_list_count", [P], c_size_t),
    ("kimi_model_list_id", [P, c_size_t], S),
    ("kimi_model_list_context_length", [P, c_size_t], c_int64),
    ("kimi_model_list_supports_image_in", [P, c_size_t], c_int),
    ("kimi_model_list_supports_video_in", [P, c_size_t], c_int),
    ("kimi_model_list_supports_reasoning", [P, c_size_t], c_int),
    ("kimi_model_list_free", [P], None),
    ("kimi_balance_get", [P, POINTER(c_double), POINTER(c_double), POINTER(c_double)], c_int),
    # Cancellation
    ("kimi_cancel_token_new", [], P),
    ("kimi_cancel_token_cancel", [P], None),
    ("kimi_cancel_token_is_cancelled", [P], c_int),
    ("kimi_cancel_token_reset", [P], None),
    ("kimi_cancel_token_free", [P], None),
    # Streaming
    ("kimi_chat_stream", [P, P, stream_cb, c_void_p, OUT], c_int),
    ("kimi_stream_event_type", [P], c_int),
    ("kimi_stream_event_text", [P, LEN], c_void_p),
    ("kimi_stream_event_choice_index", [P], c_int),
    ("kimi_stream_event_tool_call_index", [P], c_int),
    ("kimi_stream_event_tool_call_id", [P], S),
    ("kimi_stream_event_tool_call_name", [P], S),
    ("kimi_stream_event_finish_reason", [P], S),
    ("kimi_stream_event_json", [P, LEN], c_void_p),
    ("kimi_stream_event_last_in_chunk", [P], c_int),
    ("kimi_stream_event_completion_id", [P], S),
    ("kimi_stream_event_model", [P], S),
    ("kimi_stream_event_created", [P], c_int64),
    ("kimi_stream_event_prompt_tokens", [P], c_int64),
    ("kimi_stream_event_completion_tokens", [P], c_int64),
    ("kimi_stream_event_total_tokens", [P], c_int64),
    ("kimi_stream_event_cached_tokens", [P], c_int64),
    ("kimi_stream_event_status", [P], c_int),
    ("kimi_stream_event_read", [P, POINTER(c_void_p), POINTER(c_size_t), POINTER(c_int), POINTER(c_int), POINTER(c_int)],
     c_int),
    ("kimi_chat_stream_open", [P, P, OUT], c_int),
    ("kimi_stream_next", [P, OUT], c_int),
    ("kimi_stream_cancel", [P], None),
    ("kimi_stream_response", [P, OUT], c_int),
    ("kimi_stream_head", [P, OUT], c_int),
    ("kimi_stream_free", [P], None),
    # Tasks on the client's event loop
    ("kimi_chat_stream_start", [P, P, stream_cb, c_void_p, OUT], c_int),
    ("kimi_chat_create_start", [P, P, stream_cb, c_void_p, OUT], c_int),
    ("kimi_task_wait", [P, c_int64], c_int),
    ("kimi_task_cancel", [P], None),
    ("kimi_task_status", [P], c_int),
    ("kimi_task_response", [P, OUT], c_int),
    ("kimi_task_head", [P, OUT], c_int),
    ("kimi_task_free", [P], None),
    # kimi_status kimi_event_queue_new(kimi_event_queue **); int kimi_event_queue_fd(queue); ...
    ("kimi_event_queue_new", [OUT], c_int),
    ("kimi_event_queue_free", [P], None),
    ("kimi_event_queue_fd", [P], c_int),
    ("kimi_event_queue_next", [P, OUT], c_int),
    ("kimi_chat_stream_start_queued", [P, P, P, P, OUT], c_int),
    ("kimi_chat_create_start_queued", [P, P, P, P, OUT], c_int),
    ("kimi_event_queue_read", [P, OUT, OUT, POINTER(c_char_p), LEN, POINTER(c_int32), POINTER(c_int32),
                               POINTER(c_int32)], c_int),
    ("kimi_stream_event_task", [P], P),
    ("kimi_stream_event_user_data", [P], P),
    ("kimi_stream_event_progress", [P, POINTER(c_int64), POINTER(c_int64)], c_int),
    ("kimi_stream_event_http_status", [P], c_int),
    ("kimi_stream_event_error", [P], S),
    ("kimi_stream_event_response", [P, OUT], c_int),
    ("kimi_stream_event_batch", [P, OUT], c_int),
    # Every other endpoint as a task: (..., queue, on_event, user_data, kimi_task **out)
    ("kimi_file_upload_start", [P, S, S, P, stream_cb, P, OUT], c_int),
    ("kimi_file_upload_data_start", [P, S, c_void_p, c_size_t, S, P, stream_cb, P, OUT], c_int),
    ("kimi_file_retrieve_start", [P, S, P, stream_cb, P, OUT], c_int),
    ("kimi_file_delete_start", [P, S, P, stream_cb, P, OUT], c_int),
    ("kimi_file_content_start", [P, S, P, stream_cb, P, OUT], c_int),
    ("kimi_files_list_start", [P, P, stream_cb, P, OUT], c_int),
    ("kimi_batch_create_start", [P, S, S, S, P, stream_cb, P, OUT], c_int),
    ("kimi_batch_retrieve_start", [P, S, P, stream_cb, P, OUT], c_int),
    ("kimi_batch_list_start", [P, S, c_int, P, stream_cb, P, OUT], c_int),
    ("kimi_batch_cancel_start", [P, P, P, stream_cb, P, OUT], c_int),
    ("kimi_batch_wait_start", [P, P, c_uint32, P, stream_cb, P, OUT], c_int),
    ("kimi_batch_results_start", [P, P, P, stream_cb, P, OUT], c_int),
    ("kimi_models_list_start", [P, P, stream_cb, P, OUT], c_int),
    ("kimi_balance_start", [P, P, stream_cb, P, OUT], c_int),
    ("kimi_chat_estimate_tokens_start", [P, P, P, stream_cb, P, OUT], c_int),
    ("kimi_task_file", [P, OUT], c_int),
    ("kimi_task_file_list", [P, OUT], c_int),
    ("kimi_task_batch", [P, OUT], c_int),
    ("kimi_task_batch_page", [P, OUT], c_int),
    ("kimi_task_model_list", [P, OUT], c_int),
    ("kimi_task_balance", [P, POINTER(c_double), POINTER(c_double), POINTER(c_double)], c_int),
    ("kimi_task_count", [P, POINTER(c_int64)], c_int),
    # Conversations
    ("kimi_conversation_new", [P, S], P),
    ("kimi_conversation_free", [P], None),
    ("kimi_conversation_request", [P], P),
    ("kimi_conversation_add_message", [P, S, S], c_int),
    ("kimi_conversation_append_message", [P, P], c_int),
    ("kimi_conversation_add_tool_result", [P, S, S, S], c_int),
    ("kimi_conversation_message_count", [P], c_size_t),
    ("kimi_conversation_create", [P, OUT], c_int),
    ("kimi_conversation_stream", [P, stream_cb, c_void_p, OUT], c_int),
    ("kimi_tool_result_set_text", [P, S], c_int),
    ("kimi_conversation_add_tool", [P, S, S, S, tool_fn, c_void_p], c_int),
    ("kimi_conversation_add_web_search", [P], c_int),
    ("kimi_conversation_run", [P, c_int, stream_cb, c_void_p, OUT], c_int),
    ("kimi_conversation_prefill", [P, S, S], c_int),
    ("kimi_conversation_continue", [P, stream_cb, c_void_p, OUT], c_int),
    ("kimi_conversation_to_json", [P], c_void_p),
    ("kimi_conversation_load_json", [P, S], c_int),
    # Cost accounting
    ("kimi_client_options_set_pricing", [P, c_double, c_double, c_double], c_int),
    ("kimi_client_options_set_web_search_price", [P, c_double], c_int),
    ("kimi_chat_response_cost_usd", [P], c_double),
    ("kimi_chat_response_web_search_calls", [P], c_int64),
    ("kimi_client_usage_prompt_tokens", [P], c_int64),
    ("kimi_client_usage_cached_tokens", [P], c_int64),
    ("kimi_client_usage_completion_tokens", [P], c_int64),
    ("kimi_client_usage_responses", [P], c_int64),
    ("kimi_client_usage_cost_usd", [P], c_double),
    ("kimi_client_usage_web_search_calls", [P], c_int64),
    ("kimi_client_usage_reset", [P], None),
    # Batches: kimi_batch_input *kimi_batch_input_new(const char *path); ...
    ("kimi_batch_input_new", [S], P),
    ("kimi_batch_input_add", [P, S, P], c_int),
    ("kimi_batch_input_count", [P], c_size_t),
    ("kimi_batch_input_close", [P, LEN], c_int),
    ("kimi_batch_input_free", [P], None),
    # kimi_status kimi_batch_submit(kimi_client *, const char *path, const char *window, const char *metadata, kimi_batch **);
    ("kimi_batch_submit", [P, S, S, S, OUT], c_int),
    ("kimi_batch_create", [P, S, S, S, OUT], c_int),
    ("kimi_batch_retrieve", [P, S, OUT], c_int),
    ("kimi_batch_cancel", [P, P], c_int),
    ("kimi_batch_wait", [P, P, c_uint32, batch_progress_cb, c_void_p], c_int),
    ("kimi_batch_results", [P, P, batch_result_cb, c_void_p], c_int),
    ("kimi_batch_set_cancel_token", [P, P], c_int),
    ("kimi_batch_free", [P], None),
    ("kimi_batch_id", [P], S),
    ("kimi_batch_status", [P], S),
    ("kimi_batch_is_final", [P], c_int),
    ("kimi_batch_input_file_id", [P], S),
    ("kimi_batch_output_file_id", [P], S),
    ("kimi_batch_error_file_id", [P], S),
    ("kimi_batch_completion_window", [P], S),
    ("kimi_batch_error_message", [P], S),
    ("kimi_batch_total", [P], c_int64),
    ("kimi_batch_completed", [P], c_int64),
    ("kimi_batch_failed", [P], c_int64),
    ("kimi_batch_created_at", [P], c_int64),
    ("kimi_batch_in_progress_at", [P], c_int64),
    ("kimi_batch_finalizing_at", [P], c_int64),
    ("kimi_batch_completed_at", [P], c_int64),
    ("kimi_batch_failed_at", [P], c_int64),
    ("kimi_batch_expired_at", [P], c_int64),
    ("kimi_batch_cancelling_at", [P], c_int64),
    ("kimi_batch_cancelled_at", [P], c_int64),
    ("kimi_batch_expires_at", [P], c_int64),
    ("kimi_batch_json", [P, LEN], c_void_p),
    # kimi_status kimi_batch_list(kimi_client *, const char *after, int limit, kimi_batch_page **);
    ("kimi_batch_list", [P, S, c_int, OUT], c_int),
    ("kimi_batch_page_count", [P], c_size_t),
    ("kimi_batch_page_get", [P, c_size_t], P),
    ("kimi_batch_page_has_more", [P], c_int),
    ("kimi_batch_page_last_id", [P], S),
    ("kimi_batch_page_free", [P], None),
    # kimi_status kimi_batch_iter_new(kimi_client *, const char *after, int limit, kimi_batch_iter **); ...
    ("kimi_batch_iter_new", [P, S, c_int, OUT], c_int),
    ("kimi_batch_iter_next", [P, OUT], c_int),
    ("kimi_batch_iter_free", [P], None),
]

# Calls that can wait on the network go through `lib` (CDLL: the GIL is
# released for the call, so other threads run). Everything else returns at
# once and goes through `fast` (PyDLL on the same library, keeping the GIL),
# which saves a GIL release and re-acquire per call: it matters on the
# stream path, where a few accessors run per token.
fast = ctypes.PyDLL(path)
_BLOCKING = {"kimi_client_new", "kimi_chat_create", "kimi_chat_continue", "kimi_chat_stream", "kimi_chat_stream_open",
             "kimi_stream_next", "kimi_file_upload", "kimi_file_upload_data", "kimi_file_retrieve", "kimi_file_delete",
             "kimi_file_content", "kimi_file_content_write", "kimi_file_content_to_fd", "kimi_files_list",
             "kimi_file_iter_next", "kimi_batch_iter_next", "kimi_chat_estimate_tokens", "kimi_models_list",
             "kimi_chat_fit_max_completion_tokens",
             "kimi_balance_get", "kimi_conversation_create", "kimi_conversation_stream", "kimi_conversation_run",
             "kimi_conversation_continue", "kimi_stream_free", "kimi_stream_cancel", "kimi_client_free",
             # a task's callbacks may be Python functions that need the GIL
             "kimi_chat_stream_start", "kimi_chat_create_start", "kimi_task_wait", "kimi_task_free",
             "kimi_batch_input_add", "kimi_batch_input_close", "kimi_batch_input_free", "kimi_batch_submit",
             "kimi_batch_create", "kimi_batch_retrieve", "kimi_batch_cancel", "kimi_batch_wait", "kimi_batch_results",
             "kimi_batch_list"}


class _Functions:
    """Every declared function by name, each bound to `lib` or `fast`."""


functions = _Functions()
for _name, _args, _result in _DECLARATIONS:
    _function = getattr(lib if _name in _BLOCKING else fast, _name)
    _function.argtypes = _args
    _function.restype = _result
    setattr(functions, _name, _function)

DECLARED = frozenset(name for name, _, _ in _DECLARATIONS)


class _Hot:
    """The calls a stream makes per event, without argtypes: converting
    arguments costs more than the calls themselves, so callers pass ctypes
    objects of the exact C types (a c_void_p for each handle, byref() for
    each output). Their own library objects keep `functions` intact."""

    def __init__(self):
        self.stream_next = ctypes.CDLL(path).kimi_stream_next  # may wait on the network: releases the GIL
        held = ctypes.PyDLL(path)  # the rest return at once
        self.event_read = held.kimi_stream_event_read
        self.queue_read = held.kimi_event_queue_read
        self.stream_next.restype = self.event_read.restype = self.queue_read.restype = c_int


hot = _Hot()


def version_tuple(number):
    return number // 1000000, number // 1000 % 1000, number % 1000


def _check_version():
    found = version_tuple(functions.kimi_version_number())
    if found[0] != EXPECTED_VERSION[0] or (found[0] == 0 and found[1] != EXPECTED_VERSION[1]):
        raise ImportError(f"{path} is libkimi {'.'.join(map(str, found))}; this package needs "
                          f"{EXPECTED_VERSION[0]}.{EXPECTED_VERSION[1]}.x (set LIBKIMI_LIBRARY to a matching library)")


_check_version()


def take_string(pointer):
    """Copies and frees a `char *` the library handed over."""
    if not pointer:
        return None
    try:
        return ctypes.string_at(pointer).decode("utf-8")
    finally:
        functions.kimi_string_free(pointer)


def text(function, *args):
    """Calls a `const char *f(..., size_t *len_out)` accessor; returns str."""
    length = c_size_t()
    pointer = function(*args, ctypes.byref(length))
    return ctypes.string_at(pointer, length.value).decode("utf-8") if pointer else ""
