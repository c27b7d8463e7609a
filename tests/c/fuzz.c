/*
 * Feeds the C SDK thousands of damaged replies without a server: a fake
 * transport answers every call with a well-formed reply mutated at random
 * (cut short, bytes flipped, ranges dropped or repeated, tags renamed).
 * Every call must either succeed or fail with an error description; under
 * valgrind, nothing may be read out of bounds or leaked.
 *
 *     fuzz [ITERATIONS [SEED]]
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#define XEN_NO_DEPRECATION_WARNINGS
#include <xen/api/xen_all.h>

#define MEMBER(k, v) "<member><name>" k "</name><value>" v "</value></member>"

#define VM_RECORD                                                                                  \
    "<struct>" MEMBER("uuid", "<string>7d1c</string>") MEMBER("name_label", "web &amp; db")        \
    MEMBER("power_state", "<string>Running</string>") MEMBER("VCPUs_max", "<string>4</string>")    \
    MEMBER("memory_target", "<i4>1024</i4>") MEMBER("is_a_template", "<boolean>0</boolean>")       \
    MEMBER("HVM_shadow_multiplier", "<double>1.5</double>")                                         \
    MEMBER("snapshot_time", "<dateTime.iso8601>20240420T12:00:00Z</dateTime.iso8601>")             \
    MEMBER("other_config", "<struct>" MEMBER("a", "<string>1</string>") MEMBER("b", "b") "</struct>") \
    MEMBER("tags", "<array><data><value>x</value><value><string>y</string></value></data></array>") \
    MEMBER("blocked_operations", "<struct>" MEMBER("start", "no") "</struct>")                      \
    MEMBER("allowed_operations", "<array><data><value>clone</value></data></array>")                \
    MEMBER("VBDs", "<array><data><value>OpaqueRef:v1</value><value>OpaqueRef:v2</value></data></array>") \
    MEMBER("resident_on", "OpaqueRef:h") "</struct>"

#define SUCCESS(v)                                                                                 \
    "<?xml version=\"1.0\"?><methodResponse><params><param><value><struct>" MEMBER("Status", "Success") \
    "<member><name>Value</name><value>" v "</value></member></struct></value></param></params></methodResponse>"

static const char *const bases[] = {
    SUCCESS(VM_RECORD),
    SUCCESS("<struct>" MEMBER("OpaqueRef:1", VM_RECORD) MEMBER("OpaqueRef:2", VM_RECORD) "</struct>"),
    SUCCESS("<struct>" MEMBER("events", "<array><data><value><struct>" MEMBER("id", "<string>7</string>")
                MEMBER("timestamp", "<dateTime.iso8601>20240420T12:00:00Z</dateTime.iso8601>")
                    MEMBER("class", "vm") MEMBER("operation", "mod") MEMBER("ref", "OpaqueRef:1")
                        MEMBER("snapshot", VM_RECORD) "</struct></value></data></array>")
                MEMBER("valid_ref_counts", "<struct>" MEMBER("vm", "<string>3</string>") "</struct>")
                    MEMBER("token", "00000000000000000042") "</struct>"),
    SUCCESS("<array><data><value>OpaqueRef:1</value><value>OpaqueRef:2</value></data></array>"),
    "<?xml version=\"1.0\"?><methodResponse><params><param><value><struct>" MEMBER("Status", "Failure")
        MEMBER("ErrorDescription", "<array><data><value>HANDLE_INVALID</value><value>VM</value>"
                                   "<value>OpaqueRef:1</value></data></array>") "</struct></value></param></params></methodResponse>",
};

static const char *const tags[] = {
    "string", "int", "i4", "i8", "boolean", "double", "dateTime.iso8601", "struct", "array", "data",
    "value", "member", "name", "nil", "params", "param", "fault", "methodResponse", "x",
};

static unsigned long long state;

static unsigned
rnd(unsigned n)
{
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return n == 0 ? 0 : (unsigned)((state >> 33) % n);
}

static char reply[1 << 16];
static size_t reply_len;

/* One random change to the reply. */
static void
mutate(void)
{
    if (reply_len == 0)
        return;
    size_t at = rnd((unsigned)reply_len);
    switch (rnd(6))
    {
    case 0: /* cut short */
        reply_len = at;
        break;
    case 1: /* flip a byte */
        reply[at] = (char)rnd(256);
        break;
    case 2: /* drop a range */
    {
        size_t n = rnd(40);
        if (at + n > reply_len)
            n = reply_len - at;
        memmove(reply + at, reply + at + n, reply_len - at - n);
        reply_len -= n;
        break;
    }
    case 3: /* repeat a range */
    {
        size_t n = rnd(80);
        if (at + n > reply_len)
            n = reply_len - at;
        if (reply_len + n < sizeof reply)
        {
            memmove(reply + at + n, reply + at, reply_len - at);
            reply_len += n;
        }
        break;
    }
    default: /* rename a tag */
    {
        char *limit = reply + reply_len;
        char *lt = memchr(reply + at, '<', reply_len - at);
        if (lt == NULL || lt + 2 >= limit)
            break;
        char *p = lt + 1;
        if (*p == '/')
            p++;
        char *end = p;
        while (end < limit && *end != '>' && *end != ' ')
            end++;
        const char *tag = tags[rnd(sizeof tags / sizeof tags[0])];
        size_t old = (size_t)(end - p), new_len = strlen(tag);
        if (reply_len - old + new_len >= sizeof reply)
            break;
        memmove(p + new_len, end, (size_t)(limit - end));
        memcpy(p, tag, new_len);
        reply_len = reply_len - old + new_len;
        break;
    }
    }
}

/* The fake transport: answers with the current reply, in pieces. */
static int
fake_call(const void *data, size_t len, void *user_handle, void *result_handle, xen_result_func result_func)
{
    (void)data;
    (void)len;
    (void)user_handle;
    size_t sent = 0;
    while (sent < reply_len)
    {
        size_t n = 1 + rnd(4096);
        if (n > reply_len - sent)
            n = reply_len - sent;
        if (!result_func(reply + sent, n, result_handle))
            return 1;
        sent += n;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    unsigned iterations = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 2000;
    state = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    unsigned ok = 0, failed = 0, bad = 0;

    xmlInitParser();
    xen_init();
    /* A session object without logging in: the fake transport answers. */
    const char *login = SUCCESS("OpaqueRef:fuzz");
    reply_len = strlen(login);
    memcpy(reply, login, reply_len);
    xen_session *s = xen_session_login_with_password(fake_call, NULL, "u", "p", xen_api_latest_version);
    if (s == NULL || !s->ok)
    {
        fprintf(stderr, "fake login failed\n");
        return 1;
    }

    for (unsigned i = 0; i < iterations; i++)
    {
        unsigned base = rnd(sizeof bases / sizeof bases[0]);
        reply_len = strlen(bases[base]);
        memcpy(reply, bases[base], reply_len);
        for (unsigned m = rnd(4); m > 0; m--)
            mutate();

        bool r = false;
        switch (rnd(6))
        {
        case 0:
        {
            xen_vm_record *rec = NULL;
            r = xen_vm_get_record(s, &rec, (xen_vm) "OpaqueRef:1");
            xen_vm_record_free(rec);
            break;
        }
        case 1:
        {
            xen_vm_xen_vm_record_map *all = NULL;
            r = xen_vm_get_all_records(s, &all);
            xen_vm_xen_vm_record_map_free(all);
            break;
        }
        case 2:
        {
            xen_string_set *classes = xen_string_set_alloc(0);
            xen_event_batch *batch = NULL;
            r = xen_event_from(s, &batch, classes, "", 1.0);
            xen_event_batch_free(batch);
            xen_string_set_free(classes);
            break;
        }
        case 3:
        {
            struct xen_vm_set *vms = NULL;
            r = xen_vm_get_all(s, &vms);
            xen_vm_set_free(vms);
            break;
        }
        case 4:
        {
            xen_string_string_map *map = NULL;
            r = xen_vm_get_other_config(s, &map, (xen_vm) "OpaqueRef:1");
            xen_string_string_map_free(map);
            break;
        }
        default:
            r = xen_vm_start(s, (xen_vm) "OpaqueRef:1", false, false);
            break;
        }
        if (r)
            ok++;
        else if (s->ok || s->error_description_count < 1 || s->error_description[0] == NULL)
            bad++;
        else
            failed++;
        xen_session_clear_error(s);
    }

    reply_len = strlen(SUCCESS(""));
    memcpy(reply, SUCCESS(""), reply_len);
    xen_session_logout(s);
    xen_fini();
    xmlCleanupParser();
    printf("fuzz: %u replies: %u decoded, %u failed cleanly, %u failed without a description\n", iterations, ok,
           failed, bad);
    return bad == 0 ? 0 : 1;
}
