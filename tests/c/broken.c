/*
 * The C SDK against a deliberately broken server (broken_server.py):
 * replies that are not XML, cut short, of the wrong types, or with
 * malformed error payloads must each fail the call cleanly (session->ok
 * false, a clear error description, nothing leaked), and well-formed but
 * unusual replies (missing fields, unknown fields and enum values, other
 * number and date spellings) must decode.
 *
 *     broken http://127.0.0.1:PORT
 *
 * Exits non-zero if any case behaves otherwise.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/parser.h>

/* Calls deprecated calls on purpose: no warnings for them. */
#define XEN_NO_DEPRECATION_WARNINGS
#include <xen/api/xen_all.h>

#include "transport.h"

static xt_conn conn;
static char base[200];
static char url[300];
static int failures;
static int passes;

static const char VM_REF[] = "OpaqueRef:1f5e2a90-0000-4000-8000-000000000001";

static void
use(const char *path)
{
    snprintf(url, sizeof url, "%s%s", base, path);
    conn.url = url;
}

static void
print_description(const xen_session *s)
{
    printf("[");
    for (int i = 0; i < s->error_description_count; i++)
        printf("%s\"%s\"", i > 0 ? ", " : "", s->error_description[i]);
    printf("]");
}

static void
fail(const char *label, const char *why)
{
    failures++;
    printf("FAIL %-28s %s\n", label, why);
}

static void
pass(const char *label)
{
    passes++;
    printf("ok   %s\n", label);
}

/* Kinds of call, each decoding a different type. */
enum call
{
    C_STRING,
    C_INT,
    C_BOOL,
    C_FLOAT,
    C_DATETIME,
    C_ENUM,
    C_SET,
    C_MAP,
    C_INT_MAP,
    C_RECORD,
    C_RECORDS,
    C_EVENTS,
    C_VOID
};

static bool
do_call(xen_session *s, enum call c)
{
    xen_vm vm = (xen_vm)VM_REF;
    bool ok = false;
    switch (c)
    {
    case C_STRING:
    {
        char *r = NULL;
        ok = xen_vm_get_name_label(s, &r, vm);
        free(r);
        break;
    }
    case C_INT:
    {
        int64_t r;
        ok = xen_vm_get_memory_static_max(s, &r, vm);
        break;
    }
    case C_BOOL:
    {
        bool r;
        ok = xen_vm_get_is_a_template(s, &r, vm);
        break;
    }
    case C_FLOAT:
    {
        double r;
        ok = xen_vm_get_hvm_shadow_multiplier(s, &r, vm);
        break;
    }
    case C_DATETIME:
    {
        time_t r;
        ok = xen_vm_get_snapshot_time(s, &r, vm);
        break;
    }
    case C_ENUM:
    {
        enum xen_vm_power_state r;
        ok = xen_vm_get_power_state(s, &r, vm);
        break;
    }
    case C_SET:
    {
        struct xen_vm_set *r = NULL;
        ok = xen_vm_get_all(s, &r);
        xen_vm_set_free(r);
        break;
    }
    case C_MAP:
    {
        xen_string_string_map *r = NULL;
        ok = xen_vm_get_other_config(s, &r, vm);
        xen_string_string_map_free(r);
        break;
    }
    case C_INT_MAP:
    {
        xen_int_float_map *r = NULL;
        /* A deprecated call: the SDK warns about it (but even with -Werror,
           only warns). This program defines XEN_NO_DEPRECATION_WARNINGS. */
        ok = xen_vm_metrics_get_vcpus_utilisation(s, &r, (xen_vm_metrics)"OpaqueRef:m");
        xen_int_float_map_free(r);
        break;
    }
    case C_RECORD:
    {
        xen_vm_record *r = NULL;
        ok = xen_vm_get_record(s, &r, vm);
        xen_vm_record_free(r);
        break;
    }
    case C_RECORDS:
    {
        xen_vm_xen_vm_record_map *r = NULL;
        ok = xen_vm_get_all_records(s, &r);
        xen_vm_xen_vm_record_map_free(r);
        break;
    }
    case C_EVENTS:
    {
        xen_string_set *classes = xen_string_set_alloc(1);
        classes->contents[0] = strdup("*");
        xen_event_batch *r = NULL;
        ok = xen_event_from(s, &r, classes, "", 1.0);
        xen_event_batch_free(r);
        xen_string_set_free(classes);
        break;
    }
    case C_VOID:
        ok = xen_vm_start(s, vm, false, false);
        break;
    }
    return ok;
}

/* A call against path must fail with the given first error code. */
static void
expect_failure(xen_session *s, const char *path, enum call c, const char *code)
{
    char label[80];
    snprintf(label, sizeof label, "%s (call %d)", path, (int)c);
    use(path);
    bool ok = do_call(s, c);
    if (ok || s->ok)
        fail(label, "succeeded, but the reply is broken");
    else if (s->error_description_count < 1 || s->error_description == NULL)
        fail(label, "failed without an error description");
    else if (strcmp(s->error_description[0], code) != 0)
    {
        printf("     got ");
        print_description(s);
        printf("\n");
        fail(label, "failed with an unexpected error code");
    }
    else
    {
        for (int i = 0; i < s->error_description_count; i++)
            if (s->error_description[i] == NULL)
            {
                fail(label, "has a NULL string in its error description");
                xen_session_clear_error(s);
                return;
            }
        printf("ok   %-28s ", label);
        print_description(s);
        printf("\n");
        passes++;
    }
    xen_session_clear_error(s);
}

static void
check(bool cond, const char *label)
{
    if (cond)
        pass(label);
    else
        fail(label, "unexpected value");
}

static void
check_good_record(xen_session *s)
{
    xen_vm_record *r = NULL;
    use("/good-record");
    if (!xen_vm_get_record(s, &r, (xen_vm)VM_REF))
    {
        print_description(s);
        fail("/good-record", "did not decode");
        xen_session_clear_error(s);
        return;
    }
    check(strcmp((char *)r->handle, VM_REF) == 0, "record handle is the ref asked for");
    check(strcmp(r->name_label, "good & proper") == 0, "entity in a string");
    check(strcmp(r->name_description, "bare text") == 0, "bare <value> text is a string");
    check(r->power_state == XEN_VM_POWER_STATE_RUNNING, "enum field");
    check(r->memory_static_max == INT64_C(17179869184), "int sent as a string");
    check(r->vcpus_max == 4, "int sent as <i8>");
    check(r->hvm_shadow_multiplier == 1.5, "double");
    check(r->snapshot_time == (time_t)1713614400, "ISO 8601 date with dashes");
    check(r->other_config != NULL && r->other_config->size == 2 &&
              strcmp(r->other_config->contents[1].key, "b") == 0 &&
              strcmp(r->other_config->contents[1].val, "2") == 0,
          "string map");
    check(r->tags != NULL && r->tags->size == 2 && strcmp(r->tags->contents[1], "y") == 0, "string set");
    check(r->blocked_operations != NULL && r->blocked_operations->size == 2 &&
              r->blocked_operations->contents[0].key == XEN_VM_OPERATIONS_START &&
              r->blocked_operations->contents[1].key == XEN_VM_OPERATIONS_UNDEFINED,
          "enum-keyed map, unknown key is UNDEFINED");
    check(r->allowed_operations != NULL && r->allowed_operations->size == 2 &&
              r->allowed_operations->contents[0] == XEN_VM_OPERATIONS_CLONE &&
              r->allowed_operations->contents[1] == XEN_VM_OPERATIONS_UNDEFINED,
          "enum set, unknown value is UNDEFINED");
    check(r->resident_on != NULL && !r->resident_on->is_record &&
              strcmp((char *)r->resident_on->u.handle, "OpaqueRef:NULL") == 0,
          "ref field is a record_opt handle");
    check(r->vbds != NULL && r->vbds->size == 2 && !r->vbds->contents[1]->is_record &&
              strcmp((char *)r->vbds->contents[1]->u.handle, "OpaqueRef:vbd2") == 0,
          "ref set field is a record_opt set");
    xen_vm_record_free(r);
}

static void
check_sparse_record(xen_session *s)
{
    xen_vm_record *r = NULL;
    use("/sparse-record");
    if (!xen_vm_get_record(s, &r, (xen_vm)VM_REF))
    {
        print_description(s);
        fail("/sparse-record", "did not decode");
        xen_session_clear_error(s);
        return;
    }
    check(strcmp(r->name_label, "old server") == 0, "sparse record: present field");
    check(r->name_description != NULL && r->name_description[0] == '\0', "missing string is empty, not NULL");
    check(r->other_config != NULL && r->other_config->size == 0, "missing map is empty, not NULL");
    check(r->tags != NULL && r->tags->size == 0, "missing set is empty, not NULL");
    check(r->resident_on != NULL && strcmp((char *)r->resident_on->u.handle, "OpaqueRef:NULL") == 0,
          "missing ref is OpaqueRef:NULL");
    check(r->vcpus_max == 0 && !r->is_a_template, "missing int and bool are zero");
    check(r->power_state == XEN_VM_POWER_STATE_HALTED, "missing enum takes its default (Halted)");
    check(r->domain_type == XEN_DOMAIN_TYPE_UNSPECIFIED, "missing enum takes its default (unspecified, not the first value)");
    check(r->hvm_shadow_multiplier == 1.0, "missing float takes its default (1.0)");
    xen_vm_record_free(r);
}

static void
check_well_formed(xen_session *s)
{
    xen_vm_xen_vm_record_map *all = NULL;
    use("/records");
    if (xen_vm_get_all_records(s, &all))
    {
        check(all->size == 2, "get_all_records: two records");
        check(strcmp((char *)all->contents[0].val->handle, VM_REF) == 0, "map values get their key as handle");
        xen_vm_xen_vm_record_map_free(all);
    }
    else
        fail("/records", "did not decode");
    xen_session_clear_error(s);

    enum xen_vm_power_state state = XEN_VM_POWER_STATE_HALTED;
    use("/unknown-enum");
    check(xen_vm_get_power_state(s, &state, (xen_vm)VM_REF) && state == XEN_VM_POWER_STATE_UNDEFINED,
          "unknown enum value decodes to UNDEFINED");
    xen_session_clear_error(s);

    time_t when = 0;
    use("/epoch-datetime");
    check(xen_vm_get_snapshot_time(s, &when, (xen_vm)VM_REF) && when == (time_t)1700000000,
          "date as seconds since the epoch");
    xen_session_clear_error(s);

    use("/void");
    check(xen_vm_start(s, (xen_vm)VM_REF, false, false), "void call");
    xen_session_clear_error(s);

    /* An event batch whose counts are spelt validRefCounts. */
    use("/events-camel-case");
    xen_string_set *classes = xen_string_set_alloc(1);
    classes->contents[0] = strdup("*");
    xen_event_batch *batch = NULL;
    check(xen_event_from(s, &batch, classes, "", 1.0) && batch->valid_ref_counts != NULL &&
              batch->valid_ref_counts->size == 2 && strcmp(batch->valid_ref_counts->contents[0].key, "VM") == 0 &&
              batch->valid_ref_counts->contents[0].val == 3 && batch->valid_ref_counts->contents[1].val == 1 &&
              strcmp(batch->token, "token-7") == 0,
          "event batch with validRefCounts");
    xen_event_batch_free(batch);
    xen_string_set_free(classes);
    xen_session_clear_error(s);

    use("/failure");
    check(!xen_vm_start(s, (xen_vm)VM_REF, false, false) && s->error_description_count == 4 &&
              xen_api_failure_from_string(s->error_description[0]) == XEN_API_FAILURE_VM_BAD_POWER_STATE,
          "server failure with parameters");
    xen_session_clear_error(s);
}

static void
check_client_side(xen_session *s)
{
    /* Calls on a session in error fail at once. */
    use("/void");
    xen_session_clear_error(s);
    use("/garbage");
    xen_vm_start(s, (xen_vm)VM_REF, false, false);
    use("/void");
    check(!xen_vm_start(s, (xen_vm)VM_REF, false, false) && !s->ok &&
              strcmp(s->error_description[0], "MALFORMED_RESPONSE") == 0,
          "a session in error stays in error until cleared");
    xen_session_clear_error(s);

    /* An enum value that cannot be sent. */
    use("/void");
    bool ok = xen_vm_set_actions_after_crash(s, (xen_vm)VM_REF, XEN_ON_CRASH_BEHAVIOUR_UNDEFINED);
    check(!ok && strcmp(s->error_description[0], "INVALID_ARGUMENT") == 0, "an UNDEFINED enum is not sent");
    xen_session_clear_error(s);

    /* Nothing listening. */
    conn.url = "http://127.0.0.1:1/";
    char *name = NULL;
    check(!xen_vm_get_name_label(s, &name, (xen_vm)VM_REF) && name == NULL &&
              strcmp(s->error_description[0], "TRANSPORT_FAULT") == 0,
          "connection refused is a transport fault");
    xen_session_clear_error(s);
}

int
main(int argc, char **argv)
{
    if (argc != 2)
    {
        fprintf(stderr, "usage: %s http://HOST:PORT\n", argv[0]);
        return 2;
    }
    snprintf(base, sizeof base, "%s", argv[1]);
    conn.timeout = 20;

    xmlInitParser();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    xen_init();

    /* A login that gets garbage back fails, and the session is still freed. */
    use("/garbage");
    xen_session *bad = xen_session_login_with_password(xt_call, &conn, "root", "x", xen_api_latest_version);
    check(bad != NULL && !bad->ok && strcmp(bad->error_description[0], "MALFORMED_RESPONSE") == 0,
          "login answered with garbage fails");
    xen_session_logout(bad);

    use("/login");
    xen_session *s = xen_session_login_with_password(xt_call, &conn, "root", "x", xen_api_latest_version);
    if (s == NULL || !s->ok)
    {
        fprintf(stderr, "cannot log in to the broken server at %s\n", url);
        return 1;
    }

    static const struct
    {
        const char *path;
        enum call call;
        const char *code;
    } cases[] = {
        { "/garbage", C_RECORD, "MALFORMED_RESPONSE" },
        { "/garbage", C_STRING, "MALFORMED_RESPONSE" },
        { "/empty", C_STRING, "MALFORMED_RESPONSE" },
        { "/truncated", C_SET, "MALFORMED_RESPONSE" },
        { "/html", C_RECORD, "MALFORMED_RESPONSE" },
        { "/wrong-root", C_STRING, "MALFORMED_RESPONSE" },
        { "/no-params", C_STRING, "MALFORMED_RESPONSE" },
        { "/not-a-struct", C_STRING, "MALFORMED_RESPONSE" },
        { "/no-status", C_STRING, "MALFORMED_RESPONSE" },
        { "/odd-status", C_STRING, "MALFORMED_RESPONSE" },
        { "/no-value", C_STRING, "MALFORMED_RESPONSE" },
        { "/fault", C_STRING, "SERVER_FAULT" },
        { "/fault-garbled", C_VOID, "SERVER_FAULT" },
        { "/failure-no-description", C_VOID, "MALFORMED_RESPONSE" },
        { "/failure-single", C_VOID, "SESSION_INVALID" },
        { "/failure-empty", C_VOID, "MALFORMED_RESPONSE" },
        { "/failure-struct", C_VOID, "MALFORMED_RESPONSE" },
        { "/failure-mixed", C_RECORD, "HANDLE_INVALID" },
        { "/wrong-string", C_STRING, "MALFORMED_RESPONSE" },
        { "/wrong-int", C_INT, "MALFORMED_RESPONSE" },
        { "/int-overflow", C_INT, "MALFORMED_RESPONSE" },
        { "/int-junk", C_INT, "MALFORMED_RESPONSE" },
        { "/wrong-bool", C_BOOL, "MALFORMED_RESPONSE" },
        { "/wrong-float", C_FLOAT, "MALFORMED_RESPONSE" },
        { "/wrong-datetime", C_DATETIME, "MALFORMED_RESPONSE" },
        { "/wrong-set", C_SET, "MALFORMED_RESPONSE" },
        { "/wrong-map", C_MAP, "MALFORMED_RESPONSE" },
        { "/wrong-record", C_RECORD, "MALFORMED_RESPONSE" },
        { "/void", C_RECORD, "MALFORMED_RESPONSE" },
        { "/good-record", C_STRING, "MALFORMED_RESPONSE" },
        { "/wrong-map", C_EVENTS, "MALFORMED_RESPONSE" },
        { "/wrong-field", C_RECORD, "MALFORMED_RESPONSE" },
        { "/wrong-nested", C_RECORDS, "MALFORMED_RESPONSE" },
        { "/wrong-map-key", C_INT_MAP, "MALFORMED_RESPONSE" },
        { "/member-without-value", C_RECORD, "MALFORMED_RESPONSE" },
        { "/billion-laughs", C_STRING, "MALFORMED_RESPONSE" },
        { "/deep", C_SET, "MALFORMED_RESPONSE" },
        { "/invalid-utf8", C_STRING, "MALFORMED_RESPONSE" },
        { "/http-500", C_STRING, "TRANSPORT_FAULT" },
        { "/no-such-path", C_RECORD, "TRANSPORT_FAULT" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_failure(s, cases[i].path, cases[i].call, cases[i].code);

    check_good_record(s);
    check_sparse_record(s);
    check_well_formed(s);
    check_client_side(s);

    use("/void");
    xen_session_logout(s);
    xt_conn_close(&conn);
    xen_fini();
    curl_global_cleanup();
    xmlCleanupParser();

    printf("\nbroken server: %d passed, %d failed\n", passes, failures);
    return failures == 0 ? 0 : 1;
}
