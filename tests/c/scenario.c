/*
 * The C SDK against a XenAPI server (xenapi-sim, or a real pool), written
 * the way programs for the official C SDK are: xen_all.h, a libcurl
 * transport, session->ok and error_description.
 *
 *     scenario http://HOST:PORT [USER PASSWORD]
 *
 * Logs in, prints the records of every host and VM, clones a halted VM,
 * starts and shuts down the clone, updates its blocked-operations map,
 * round-trips enums locally and through the server, takes an error path,
 * follows the clone through event.from, runs a clone as an asynchronous
 * task, cleans up and logs out. Exits non-zero if any step goes wrong.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <xen/api/xen_all.h>

#include "transport.h"

static int failures;
static int passes;

static void
print_error(const xen_session *s)
{
    printf("error_description:");
    for (int i = 0; i < s->error_description_count; i++)
        printf(" %s", s->error_description[i]);
    printf("\n");
}

static void
check(bool cond, const char *what)
{
    if (cond)
    {
        passes++;
        printf("  ok   %s\n", what);
    }
    else
    {
        failures++;
        printf("  FAIL %s\n", what);
    }
}

/* Reports a failed call and makes the session usable again. */
static bool
called(xen_session *s, bool ok, const char *what)
{
    if (!ok)
    {
        failures++;
        printf("  FAIL %s: ", what);
        print_error(s);
        xen_session_clear_error(s);
    }
    else
    {
        passes++;
        printf("  ok   %s\n", what);
    }
    return ok;
}

static void
section(const char *title)
{
    printf("\n== %s\n", title);
}

static void
pause_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void
show_hosts(xen_session *s)
{
    section("hosts");
    xen_host_xen_host_record_map *hosts = NULL;
    if (!called(s, xen_host_get_all_records(s, &hosts), "host.get_all_records"))
        return;
    check(hosts->size >= 1, "at least one host");
    for (size_t i = 0; i < hosts->size; i++)
    {
        xen_host_record *h = hosts->contents[i].val;
        printf("  host %s (%s): %s, API %" PRId64 ".%" PRId64 ", %s, %zu software versions\n",
               h->name_label, h->uuid, h->hostname, h->api_version_major, h->api_version_minor,
               h->enabled ? "enabled" : "disabled", h->software_version->size);
        for (size_t j = 0; j < h->software_version->size; j++)
            printf("    %s = %s\n", h->software_version->contents[j].key, h->software_version->contents[j].val);

        xen_host_record *again = NULL;
        if (called(s, xen_host_get_record(s, &again, hosts->contents[i].key), "host.get_record"))
        {
            check(strcmp(again->uuid, h->uuid) == 0 &&
                      strcmp((char *)again->handle, (char *)hosts->contents[i].key) == 0,
                  "get_record agrees with get_all_records and carries its ref");
            xen_host_record_free(again);
        }
    }
    xen_host_xen_host_record_map_free(hosts);
}

/* Prints every VM; returns a copy of the ref of a halted VM that is
   neither a template nor a control domain, or NULL. */
static char *
show_vms(xen_session *s)
{
    section("VMs");
    xen_vm_xen_vm_record_map *vms = NULL;
    char *halted = NULL;
    if (!called(s, xen_vm_get_all_records(s, &vms), "VM.get_all_records"))
        return NULL;
    check(vms->size >= 1, "at least one VM");
    for (size_t i = 0; i < vms->size; i++)
    {
        xen_vm_record *v = vms->contents[i].val;
        printf("  %-40s %-9s %s%s vcpus=%" PRId64 " memory=%" PRId64 " tags=%zu\n", v->name_label,
               xen_vm_power_state_to_string(v->power_state), v->is_a_template ? "template " : "",
               v->is_control_domain ? "control-domain " : "", v->vcpus_max, v->memory_static_max,
               v->tags->size);
        if (halted == NULL && !v->is_a_template && !v->is_control_domain &&
            v->power_state == XEN_VM_POWER_STATE_HALTED)
            halted = strdup((char *)vms->contents[i].key);
    }
    xen_vm_xen_vm_record_map_free(vms);
    check(halted != NULL, "found a halted VM to clone");
    return halted;
}

/* VM.get_all_records_where and VM.get_all_where (xapi's filter language)
   select what get_all_records says they should; a malformed expression
   fails with INVALID_VALUE. */
static void
filtered_vms(xen_session *s)
{
    section("filtered listings");
    xen_vm_xen_vm_record_map *all = NULL;
    if (!called(s, xen_vm_get_all_records(s, &all), "VM.get_all_records"))
        return;
    size_t running = 0;
    for (size_t i = 0; i < all->size; i++)
        running += all->contents[i].val->power_state == XEN_VM_POWER_STATE_RUNNING;
    xen_vm_xen_vm_record_map *some = NULL;
    char expr[] = "field \"power_state\" = \"Running\"";
    if (called(s, xen_vm_get_all_records_where(s, &some, expr), "VM.get_all_records_where"))
    {
        bool all_running = true;
        for (size_t i = 0; i < some->size; i++)
            all_running &= some->contents[i].val->power_state == XEN_VM_POWER_STATE_RUNNING;
        check(running > 0 && some->size == running && all_running, "exactly the running VMs");
        xen_vm_xen_vm_record_map_free(some);
    }
    struct xen_vm_set *refs = NULL;
    char none[] = "not true";
    if (called(s, xen_vm_get_all_where(s, &refs, none), "VM.get_all_where"))
    {
        check(refs->size == 0, "not true selects nothing");
        xen_vm_set_free(refs);
    }
    refs = NULL;
    char bad[] = "field \"power_state\" =";
    bool ok = xen_vm_get_all_where(s, &refs, bad);
    check(!ok && s->error_description_count == 3 && strcmp(s->error_description[0], "INVALID_VALUE") == 0,
          "a malformed expression fails with INVALID_VALUE");
    if (ok)
        xen_vm_set_free(refs);
    xen_session_clear_error(s);
    xen_vm_xen_vm_record_map_free(all);
}

static enum xen_vm_power_state
power_state(xen_session *s, xen_vm vm)
{
    enum xen_vm_power_state state = XEN_VM_POWER_STATE_UNDEFINED;
    if (!xen_vm_get_power_state(s, &state, vm))
    {
        print_error(s);
        xen_session_clear_error(s);
    }
    return state;
}

static void
lifecycle(xen_session *s, xen_vm clone)
{
    section("start and shut down the clone");
    xen_vm_record *r = NULL;
    if (called(s, xen_vm_get_record(s, &r, clone), "VM.get_record of the clone"))
    {
        check(strcmp(r->name_label, "c-sdk clone") == 0, "the clone has its new name");
        check(r->power_state == XEN_VM_POWER_STATE_HALTED, "the clone is halted");
        xen_vm_record_free(r);
    }
    if (called(s, xen_vm_start(s, clone, false, false), "VM.start"))
    {
        check(power_state(s, clone) == XEN_VM_POWER_STATE_RUNNING, "the clone is running");
        xen_host host = NULL;
        if (called(s, xen_vm_get_resident_on(s, &host, clone), "VM.get_resident_on"))
        {
            char *name = NULL;
            if (called(s, xen_host_get_name_label(s, &name, host), "host.get_name_label"))
                printf("  running on %s\n", name);
            free(name);
            xen_host_free(host);
        }
    }
    bool down = xen_vm_clean_shutdown(s, clone);
    if (!down)
    {
        printf("  clean_shutdown refused (");
        print_error(s);
        xen_session_clear_error(s);
        down = xen_vm_hard_shutdown(s, clone);
    }
    called(s, down, "VM shut down");
    check(power_state(s, clone) == XEN_VM_POWER_STATE_HALTED, "the clone is halted again");
}

static void
blocked_operations(xen_session *s, xen_vm clone)
{
    section("blocked operations");
    xen_vm_operations_string_map *ops = xen_vm_operations_string_map_alloc(1);
    ops->contents[0].key = XEN_VM_OPERATIONS_START;
    ops->contents[0].val = strdup("blocked by the C SDK test");
    called(s, xen_vm_set_blocked_operations(s, clone, ops), "VM.set_blocked_operations");
    xen_vm_operations_string_map_free(ops);

    called(s, xen_vm_add_to_blocked_operations(s, clone, XEN_VM_OPERATIONS_CLONE, "no clones either"),
           "VM.add_to_blocked_operations");

    ops = NULL;
    if (called(s, xen_vm_get_blocked_operations(s, &ops, clone), "VM.get_blocked_operations"))
    {
        bool start = false, clone_op = false;
        for (size_t i = 0; i < ops->size; i++)
        {
            printf("  %s -> %s\n", xen_vm_operations_to_string(ops->contents[i].key), ops->contents[i].val);
            start |= ops->contents[i].key == XEN_VM_OPERATIONS_START &&
                     strcmp(ops->contents[i].val, "blocked by the C SDK test") == 0;
            clone_op |= ops->contents[i].key == XEN_VM_OPERATIONS_CLONE;
        }
        check(ops->size == 2 && start && clone_op, "both entries are there");
        xen_vm_operations_string_map_free(ops);
    }

    /* A blocked start must be refused. */
    if (xen_vm_start(s, clone, false, false))
    {
        printf("  the server started the VM despite the block\n");
        xen_vm_hard_shutdown(s, clone);
    }
    else
    {
        printf("  start refused as expected: ");
        print_error(s);
        check(xen_api_failure_from_string(s->error_description[0]) == XEN_API_FAILURE_OPERATION_BLOCKED,
              "the refusal is OPERATION_BLOCKED");
        xen_session_clear_error(s);
    }

    called(s, xen_vm_remove_from_blocked_operations(s, clone, XEN_VM_OPERATIONS_START),
           "VM.remove_from_blocked_operations");
    ops = NULL;
    if (called(s, xen_vm_get_blocked_operations(s, &ops, clone), "VM.get_blocked_operations"))
    {
        check(ops->size == 1 && ops->contents[0].key == XEN_VM_OPERATIONS_CLONE, "one entry left");
        xen_vm_operations_string_map_free(ops);
    }
    ops = xen_vm_operations_string_map_alloc(0);
    called(s, xen_vm_set_blocked_operations(s, clone, ops), "VM.set_blocked_operations to empty");
    xen_vm_operations_string_map_free(ops);
}

static void
enums(xen_session *s, xen_vm clone)
{
    section("enum round trips");
    bool all = true;
    for (int v = 0; v < XEN_VM_POWER_STATE_UNDEFINED; v++)
    {
        const char *name = xen_vm_power_state_to_string((enum xen_vm_power_state)v);
        all &= xen_vm_power_state_from_string(s, name) == (enum xen_vm_power_state)v;
    }
    check(all, "every vm_power_state survives to_string/from_string");
    all = true;
    for (int v = 0; v < XEN_VM_OPERATIONS_UNDEFINED; v++)
        all &= xen_vm_operations_from_string(s, xen_vm_operations_to_string((enum xen_vm_operations)v)) ==
               (enum xen_vm_operations)v;
    check(all, "every vm_operations value survives to_string/from_string");
    check(xen_vm_power_state_from_string(s, "Levitating") == XEN_VM_POWER_STATE_UNDEFINED && s->ok,
          "an unknown name is UNDEFINED and leaves the session alone");
    check(strcmp(xen_bond_mode_to_string(XEN_BOND_MODE_BALANCE_SLB), "balance-slb") == 0,
          "balance-slb keeps its dash on the wire");
    check(xen_api_failure_from_string("VM_BAD_POWER_STATE") == XEN_API_FAILURE_VM_BAD_POWER_STATE &&
              strcmp(xen_api_failure_to_string(XEN_API_FAILURE_HANDLE_INVALID), "HANDLE_INVALID") == 0 &&
              xen_api_failure_from_string("NOT_AN_ERROR_CODE") == XEN_API_FAILURE_UNDEFINED,
          "error codes round-trip");

    /* Through the server: every value of an enum field. */
    all = true;
    for (int v = 0; v < XEN_ON_NORMAL_EXIT_UNDEFINED; v++)
    {
        enum xen_on_normal_exit sent = (enum xen_on_normal_exit)v, back = XEN_ON_NORMAL_EXIT_UNDEFINED;
        if (!xen_vm_set_actions_after_shutdown(s, clone, sent) || !xen_vm_get_actions_after_shutdown(s, &back, clone))
        {
            printf("  %s: ", xen_on_normal_exit_to_string(sent));
            print_error(s);
            xen_session_clear_error(s);
            all = false;
        }
        else
            all &= back == sent;
    }
    check(all, "every on_normal_exit value survives the server");

    /* A set and a map field, and an int. */
    called(s, xen_vm_add_tags(s, clone, "c-sdk"), "VM.add_tags");
    called(s, xen_vm_add_to_other_config(s, clone, "c-sdk-key", "a value with <xml> & \"quotes\""),
           "VM.add_to_other_config");
    xen_vm_record *r = NULL;
    if (called(s, xen_vm_get_record(s, &r, clone), "VM.get_record"))
    {
        bool tag = false, key = false;
        for (size_t i = 0; i < r->tags->size; i++)
            tag |= strcmp(r->tags->contents[i], "c-sdk") == 0;
        for (size_t i = 0; i < r->other_config->size; i++)
            key |= strcmp(r->other_config->contents[i].key, "c-sdk-key") == 0 &&
                   strcmp(r->other_config->contents[i].val, "a value with <xml> & \"quotes\"") == 0;
        check(tag && key, "the tag and the escaped map value came back");
        xen_vm_record_free(r);
    }
    called(s, xen_vm_remove_tags(s, clone, "c-sdk"), "VM.remove_tags");
    called(s, xen_vm_remove_from_other_config(s, clone, "c-sdk-key"), "VM.remove_from_other_config");
}

static void
error_path(xen_session *s, xen_vm clone)
{
    section("error path");
    xen_vm_record *r = NULL;
    bool ok = xen_vm_get_record(s, &r, (xen_vm) "OpaqueRef:00000000-0000-0000-0000-000000000000");
    check(!ok && !s->ok && r == NULL, "a record of a VM that does not exist is refused");
    if (!ok)
    {
        printf("  ");
        print_error(s);
        check(s->error_description_count >= 1 &&
                  xen_api_failure_from_string(s->error_description[0]) == XEN_API_FAILURE_HANDLE_INVALID,
              "the error is HANDLE_INVALID");
    }
    xen_vm_record_free(r);

    /* The session stays in error until cleared. */
    char *name = NULL;
    check(!xen_vm_get_name_label(s, &name, clone) && name == NULL, "calls fail while the session is in error");
    xen_session_clear_error(s);
    check(s->ok && s->error_description_count == 0, "xen_session_clear_error clears it");

    ok = xen_vm_hard_shutdown(s, clone);
    check(!ok, "shutting down a halted VM is refused");
    if (!ok)
    {
        printf("  ");
        print_error(s);
        check(xen_api_failure_from_string(s->error_description[0]) == XEN_API_FAILURE_VM_BAD_POWER_STATE,
              "the error is VM_BAD_POWER_STATE");
        xen_session_clear_error(s);
    }

    xen_session *bad = xen_session_login_with_password(s->call_func, s->handle, "root", "not the password",
                                                       xen_api_latest_version);
    check(bad != NULL && !bad->ok, "a wrong password is refused");
    if (bad != NULL && !bad->ok)
    {
        printf("  ");
        print_error(bad);
    }
    xen_session_logout(bad);
}

static void
events(xen_session *s, xen_vm clone)
{
    section("event.from");
    xen_string_set *classes = xen_string_set_alloc(1);
    classes->contents[0] = strdup("VM");
    xen_event_batch *batch = NULL;
    char *token = NULL;
    if (called(s, xen_event_from(s, &batch, classes, "", 0.0), "event.from with an empty token"))
    {
        printf("  %zu events, token %s\n", batch->events->size, batch->token);
        for (size_t i = 0; i < batch->valid_ref_counts->size; i++)
            printf("  %s: %" PRId64 " objects\n", batch->valid_ref_counts->contents[i].key,
                   batch->valid_ref_counts->contents[i].val);
        check(batch->events->size >= 1, "one event per existing VM");
        token = strdup(batch->token);
        xen_event_batch_free(batch);
    }
    called(s, xen_vm_set_name_description(s, clone, "changed for event.from"), "VM.set_name_description");

    bool seen = false;
    for (int round = 0; round < 10 && !seen && token != NULL; round++)
    {
        batch = NULL;
        if (!called(s, xen_event_from(s, &batch, classes, token, 5.0), "event.from with the last token"))
            break;
        for (size_t i = 0; i < batch->events->size; i++)
        {
            xen_event_record *ev = batch->events->contents[i];
            printf("  event %" PRId64 ": %s %s %s\n", ev->id, ev->class, xen_event_operation_to_string(ev->operation),
                   ev->ref);
            seen |= ev->operation == XEN_EVENT_OPERATION_MOD && strcmp(ev->ref, (char *)clone) == 0;
        }
        free(token);
        token = strdup(batch->token);
        xen_event_batch_free(batch);
    }
    check(seen, "the change to the clone arrived as a mod event");
    free(token);
    xen_string_set_free(classes);
}

/* Waits for a task to finish; returns its final status. */
static enum xen_task_status_type
wait_task(xen_session *s, xen_task task)
{
    enum xen_task_status_type status = XEN_TASK_STATUS_TYPE_PENDING;
    for (int i = 0; i < 300 && status == XEN_TASK_STATUS_TYPE_PENDING; i++)
    {
        if (!xen_task_get_status(s, &status, task))
            return XEN_TASK_STATUS_TYPE_UNDEFINED;
        if (status == XEN_TASK_STATUS_TYPE_PENDING)
            pause_ms(50);
    }
    return status;
}

static void
async(xen_session *s, xen_vm source)
{
    section("an asynchronous call through its task");
    xen_task task = NULL;
    if (!called(s, xen_vm_clone_async(s, &task, source, "c-sdk async clone"), "Async.VM.clone"))
        return;
    enum xen_task_status_type status = wait_task(s, task);
    check(status == XEN_TASK_STATUS_TYPE_SUCCESS, "the task succeeded");
    xen_task_record *t = NULL;
    if (called(s, xen_task_get_record(s, &t, task), "task.get_record"))
    {
        printf("  task %s: %s, progress %.2f, result %s\n", t->name_label,
               xen_task_status_type_to_string(t->status), t->progress, t->result);
        /* The result is the new VM's ref, as an XML-RPC value. */
        char *ref = strstr(t->result, "OpaqueRef:");
        if (ref != NULL)
        {
            char *end = strchr(ref, '<');
            char *vm = end != NULL ? strndup(ref, (size_t)(end - ref)) : strdup(ref);
            char *name = NULL;
            if (called(s, xen_vm_get_name_label(s, &name, (xen_vm)vm), "the task's result is a VM"))
                check(strcmp(name, "c-sdk async clone") == 0, "it has the name given");
            free(name);
            called(s, xen_vm_destroy(s, (xen_vm)vm), "VM.destroy of the async clone");
            free(vm);
        }
        else
            check(false, "the task's result holds a ref");
        xen_task_record_free(t);
    }
    called(s, xen_task_destroy(s, task), "task.destroy");
    xen_task_free(task);

    /* A task that fails reports why in error_info. */
    task = NULL;
    if (called(s, xen_vm_hard_shutdown_async(s, &task, source), "Async.VM.hard_shutdown of a halted VM"))
    {
        status = wait_task(s, task);
        check(status == XEN_TASK_STATUS_TYPE_FAILURE, "that task failed");
        struct xen_string_set *info = NULL;
        if (called(s, xen_task_get_error_info(s, &info, task), "task.get_error_info"))
        {
            printf("  error_info:");
            for (size_t i = 0; i < info->size; i++)
                printf(" %s", info->contents[i]);
            printf("\n");
            check(info->size >= 1 && strcmp(info->contents[0], "VM_BAD_POWER_STATE") == 0,
                  "error_info is VM_BAD_POWER_STATE");
            xen_string_set_free(info);
        }
        called(s, xen_task_destroy(s, task), "task.destroy");
        xen_task_free(task);
    }
}

int
main(int argc, char **argv)
{
    if (argc != 2 && argc != 4)
    {
        fprintf(stderr, "usage: %s http://HOST:PORT [USER PASSWORD]\n", argv[0]);
        return 2;
    }
    xt_conn conn = { .url = argv[1], .timeout = 60, .curl = NULL, .error = "" };
    const char *user = argc == 4 ? argv[2] : "root";
    const char *password = argc == 4 ? argv[3] : "xenroot";

    xmlInitParser();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    xen_init();

    section("login");
    xen_session *s = xen_session_login_with_password(xt_call, &conn, user, password, xen_api_latest_version);
    if (s == NULL || !s->ok)
    {
        if (s != NULL)
            print_error(s);
        fprintf(stderr, "cannot log in to %s\n", argv[1]);
        xen_session_logout(s);
        xt_conn_close(&conn);
        return 1;
    }
    printf("  logged in: session %s, API version %s\n", s->session_id, xen_api_version_to_string(s->api_version));
    xen_host this_host = NULL;
    if (called(s, xen_session_get_this_host(s, &this_host, s), "session.get_this_host"))
        xen_host_free(this_host);
    xen_session_record *me = NULL;
    if (called(s, xen_session_get_record(s, &me, s), "session.get_record"))
    {
        printf("  this user: %s, originator: %s\n", me->this_user, me->originator);
        xen_session_record_free(me);
    }

    show_hosts(s);
    filtered_vms(s);
    char *source = show_vms(s);
    if (source != NULL)
    {
        section("clone");
        xen_vm clone = NULL;
        if (called(s, xen_vm_clone(s, &clone, (xen_vm)source, "c-sdk clone"), "VM.clone"))
        {
            printf("  clone: %s\n", (char *)clone);
            lifecycle(s, clone);
            blocked_operations(s, clone);
            enums(s, clone);
            error_path(s, clone);
            events(s, clone);
            section("clean up");
            called(s, xen_vm_destroy(s, clone), "VM.destroy of the clone");
            xen_vm_free(clone);
        }
        async(s, (xen_vm)source);
        free(source);
    }

    section("logout");
    xen_session_logout(s);
    xt_conn_close(&conn);
    xen_fini();
    curl_global_cleanup();
    xmlCleanupParser();

    printf("\nscenario: %d passed, %d failed\n", passes, failures);
    return failures == 0 ? 0 : 1;
}
