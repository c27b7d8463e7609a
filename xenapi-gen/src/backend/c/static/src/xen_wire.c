/*
 * XML-RPC on libxml2 for the C SDK: encodes calls, sends them through the
 * caller's transport, and decodes replies into the SDK's C types, all
 * driven by the type descriptions of xen_wire.h.
 *
 * Replies are untrusted input. Every step checks what it finds, and any
 * surprise (bad XML, a reply cut short, a value of the wrong type) ends the
 * call with session->ok == false and a description of what was wrong and
 * where; whatever was decoded so far is freed.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "xen_wire.h"

const xw_type xw_t_string = { .kind = XW_STRING, .name = "string" };
const xw_type xw_t_int = { .kind = XW_INT, .name = "int" };
const xw_type xw_t_float = { .kind = XW_FLOAT, .name = "float" };
const xw_type xw_t_bool = { .kind = XW_BOOL, .name = "bool" };
const xw_type xw_t_datetime = { .kind = XW_DATETIME, .name = "datetime" };
const xw_type xw_t_ref = { .kind = XW_REF, .name = "ref" };
const xw_type xw_t_session = { .kind = XW_SESSION, .name = "session ref" };

static const char NULL_REF[] = "OpaqueRef:NULL";

/* Every record_opt struct has this layout. */
typedef struct
{
    bool is_record;
    union
    {
        void *handle;
        void *record;
    } u;
} xw_opt_layout;

#define OPT_U offsetof(xw_opt_layout, u)

/* The runtime stores enums as int: make sure the compiler agrees. */
enum xw_probe
{
    XW_PROBE
};
typedef char xw_enum_is_int[sizeof(enum xw_probe) == sizeof(int) ? 1 : -1];


/* ---------------------------------------------------------------------- */
/* Slots                                                                  */
/* ---------------------------------------------------------------------- */

/*
 * Slots are read and written with memcpy: a slot may be declared as any
 * of the SDK's pointer types (xen_vm, xen_vm_set *, ...) while this code
 * sees it as void *.
 */
static void *
get_ptr(const void *slot)
{
    void *p;
    memcpy(&p, slot, sizeof p);
    return p;
}

static void
put_ptr(void *slot, const void *p)
{
    memcpy(slot, &p, sizeof p);
}

static char *
at(void *base, size_t offset)
{
    return (char *)base + offset;
}

static size_t
get_size(const void *items)
{
    size_t n;
    memcpy(&n, items, sizeof n);
    return n;
}

/* The scalar in a slot, read with memcpy as slots are. */
static int64_t
get_int(const void *slot)
{
    int64_t v;
    memcpy(&v, slot, sizeof v);
    return v;
}

static int
get_enum(const void *slot)
{
    int v;
    memcpy(&v, slot, sizeof v);
    return v;
}

/* Item i of a set or map allocated by xw_alloc_items. */
static char *
item_at(const xw_type *t, void *items, size_t i)
{
    return at(items, t->contents_offset + i * t->item_size);
}

static bool
is_pointer_kind(const xw_type *t)
{
    switch (t->kind)
    {
    case XW_INT:
    case XW_FLOAT:
    case XW_BOOL:
    case XW_DATETIME:
    case XW_ENUM:
        return false;
    default:
        return true;
    }
}

size_t
xw_slot_size(const xw_type *t)
{
    switch (t->kind)
    {
    case XW_INT:
        return sizeof(int64_t);
    case XW_FLOAT:
        return sizeof(double);
    case XW_BOOL:
        return sizeof(bool);
    case XW_DATETIME:
        return sizeof(time_t);
    case XW_ENUM:
        return sizeof(int);
    default:
        return sizeof(void *);
    }
}

char *
xw_strdup(const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *r = malloc(n);
    if (r != NULL)
        memcpy(r, s, n);
    return r;
}

void *
xw_alloc_zeroed(size_t size)
{
    return calloc(1, size);
}

void *
xw_alloc_items(const xw_type *t, size_t size)
{
    if (t->item_size != 0 && size > (SIZE_MAX - t->contents_offset) / t->item_size)
        return NULL;
    void *p = calloc(1, t->contents_offset + size * t->item_size);
    if (p != NULL)
        memcpy(p, &size, sizeof size);
    return p;
}

/* Frees the items of a set or map (each element, or each key and value)
   and the block holding them. */
static void
free_items(const xw_type *t, void *items)
{
    size_t n = get_size(items);
    for (size_t i = 0; i < n; i++)
    {
        char *item = item_at(t, items, i);
        if (t->kind == XW_MAP)
        {
            xw_free(t->key, item);
            xw_free(t->val, item + t->val_offset);
        }
        else
            xw_free(t->elem, item);
    }
    free(items);
}

void
xw_free(const xw_type *t, void *slot)
{
    void *p;
    switch (t->kind)
    {
    case XW_STRING:
    case XW_REF:
        free(get_ptr(slot));
        break;
    case XW_SESSION:
        xw_session_free(get_ptr(slot));
        break;
    case XW_SET:
    case XW_MAP:
        p = get_ptr(slot);
        if (p != NULL)
            free_items(t, p);
        break;
    case XW_RECORD:
        p = get_ptr(slot);
        if (p != NULL)
        {
            if (t->has_handle)
                free(get_ptr(p));
            for (size_t i = 0; i < t->field_count; i++)
                xw_free(t->fields[i].type, at(p, t->fields[i].offset));
            free(p);
        }
        break;
    case XW_RECORD_OPT:
        p = get_ptr(slot);
        if (p != NULL)
        {
            bool is_record;
            memcpy(&is_record, p, sizeof is_record);
            if (is_record)
                xw_free(t->elem, at(p, OPT_U));
            else
                free(get_ptr(at(p, OPT_U)));
            free(p);
        }
        break;
    case XW_OPTION:
        if (is_pointer_kind(t->elem))
            xw_free(t->elem, slot);
        else
            free(get_ptr(slot));
        break;
    default:
        break;
    }
    memset(slot, 0, xw_slot_size(t));
}

void
xw_free_ptr(const xw_type *t, void *ptr)
{
    void *slot = ptr;
    xw_free(t, &slot);
}

void
xw_set_handle(void *record, const void *ref)
{
    if (record != NULL)
    {
        free(get_ptr(record));
        put_ptr(record, xw_strdup(ref));
    }
}

const char *
xw_enum_to_string(const xw_type *t, int value)
{
    if (value < 0 || (size_t)value >= t->value_count)
        return "undefined";
    return t->values[value];
}

int
xw_enum_from_string(const xw_type *t, const char *name)
{
    if (name != NULL)
        for (size_t i = 0; i < t->value_count; i++)
            if (strcmp(t->values[i], name) == 0)
                return (int)i;
    return (int)t->value_count;
}


/* ---------------------------------------------------------------------- */
/* Sessions and errors                                                    */
/* ---------------------------------------------------------------------- */

xen_session *
xw_session_new(xen_call_func call_func, void *handle, xen_api_version version)
{
    xen_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->call_func = call_func;
    s->handle = handle;
    s->session_id = NULL;
    s->ok = true;
    s->error_description = NULL;
    s->error_description_count = 0;
    s->api_version = version;
    return s;
}

static void
free_description(xen_session *s)
{
    for (int i = 0; i < s->error_description_count; i++)
        free(s->error_description[i]);
    free(s->error_description);
    s->error_description = NULL;
    s->error_description_count = 0;
}

void
xw_session_free(xen_session *s)
{
    if (s == NULL)
        return;
    free_description(s);
    free((char *)s->session_id);
    free(s);
}

void
xen_session_clear_error(xen_session *session)
{
    if (session == NULL)
        return;
    free_description(session);
    session->ok = true;
}

/* Records an error given as a list of strings (any of which may be NULL,
   standing for the empty string). */
static void
set_error_list(xen_session *s, char **items, int count)
{
    free_description(s);
    s->ok = false;
    if (items == NULL)
        return;
    s->error_description = items;
    s->error_description_count = count;
    for (int i = 0; i < count; i++)
        if (items[i] == NULL)
            items[i] = xw_strdup("");
}

void
xw_set_error(xen_session *s, const char *code, const char *detail)
{
    if (s == NULL)
        return;
    int count = detail != NULL ? 2 : 1;
    char **items = calloc((size_t)count, sizeof *items);
    if (items != NULL)
    {
        items[0] = xw_strdup(code);
        if (detail != NULL)
            items[1] = xw_strdup(detail);
    }
    set_error_list(s, items, count);
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((__format__(__printf__, 3, 4)))
#endif
static void
set_errorf(xen_session *s, const char *code, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    xw_set_error(s, code, detail);
}


/* ---------------------------------------------------------------------- */
/* Dates                                                                  */
/* ---------------------------------------------------------------------- */

/* Days since 1970-01-01 of a date of the proleptic Gregorian calendar. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
    if (m <= 2)
        y -= 1;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

static void
format_datetime(time_t t, char out[32])
{
    int64_t secs = (int64_t)t;
    int64_t days = secs / 86400;
    int64_t rem = secs % 86400;
    if (rem < 0)
    {
        rem += 86400;
        days -= 1;
    }
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(out, 32, "%04" PRId64 "%02d%02dT%02d:%02d:%02dZ", y, m, d,
             (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
}

/* Reads exactly n digits. */
static bool
digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++)
    {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

/* digits(), then skips the separator c if it comes next. */
static bool
digits_then(const char **p, int n, int *out, char c)
{
    if (!digits(p, n, out))
        return false;
    if (**p == c)
        (*p)++;
    return true;
}

/*
 * Accepts 20240420T12:00:00Z, the same without Z or with a +HH:MM offset,
 * the ISO 8601 form with dashes (2024-04-20T12:00:00Z), fractions of a
 * second, and plain seconds since the epoch.
 */
static bool
parse_datetime(const char *s, time_t *out)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    const char *p = s;
    bool all_digits = *p != '\0';
    for (const char *q = (*p == '-' ? p + 1 : p); *q != '\0'; q++)
        if (!((*q >= '0' && *q <= '9') || *q == '.' || *q == ' ' || *q == '\n'))
            all_digits = false;
    if (all_digits && strchr(s, 'T') == NULL)
    {
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        while (*end == ' ' || *end == '\n')
            end++;
        if (end == s || *end != '\0' || errno == ERANGE)
            return false;
        *out = (time_t)v;
        return true;
    }
    int year, mon, day, hour, min, sec;
    if (!digits_then(&p, 4, &year, '-') || !digits_then(&p, 2, &mon, '-') || !digits(&p, 2, &day))
        return false;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return false;
    p++;
    if (!digits_then(&p, 2, &hour, ':') || !digits_then(&p, 2, &min, ':') || !digits(&p, 2, &sec))
        return false;
    if (*p == '.' || *p == ',')
    {
        p++;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    int64_t offset = 0;
    if (*p == 'Z' || *p == 'z')
        p++;
    else if (*p == '+' || *p == '-')
    {
        int sign = *p == '-' ? -1 : 1;
        int oh, om = 0;
        p++;
        if (!digits_then(&p, 2, &oh, ':'))
            return false;
        if (*p != '\0' && !digits(&p, 2, &om))
            return false;
        offset = sign * ((int64_t)oh * 3600 + om * 60);
    }
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    if (*p != '\0' || mon < 1 || mon > 12 || day < 1 || day > 31 ||
        hour > 24 || min > 59 || sec > 60)
        return false;
    int64_t t = days_from_civil(year, mon, day) * 86400 +
                (int64_t)hour * 3600 + min * 60 + sec - offset;
    *out = (time_t)t;
    return true;
}


/* ---------------------------------------------------------------------- */
/* Encoding                                                               */
/* ---------------------------------------------------------------------- */

typedef struct
{
    char *data;
    size_t len;
    size_t cap;
    bool failed;
} xw_buf;

static void
buf_add(xw_buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (n > SIZE_MAX - b->len - 1)
    {
        b->failed = true;
        return;
    }
    if (b->len + n + 1 > b->cap)
    {
        size_t cap = b->cap == 0 ? 1024 : b->cap;
        while (cap < b->len + n + 1)
            cap = cap > SIZE_MAX / 2 ? b->len + n + 1 : cap * 2;
        char *data = realloc(b->data, cap);
        if (data == NULL)
        {
            b->failed = true;
            return;
        }
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void
buf_str(xw_buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

/* Text escaped for XML character data. */
static void
buf_text(xw_buf *b, const char *s)
{
    const char *run = s;
    for (; *s != '\0'; s++)
    {
        const char *rep;
        switch (*s)
        {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\r': rep = "&#13;"; break;
        default: continue;
        }
        buf_add(b, run, (size_t)(s - run));
        buf_str(b, rep);
        run = s + 1;
    }
    buf_add(b, run, (size_t)(s - run));
}

static void
buf_string_value(xw_buf *b, const char *s)
{
    buf_str(b, "<value><string>");
    buf_text(b, s);
    buf_str(b, "</string></value>");
}

typedef struct
{
    xen_session *s;
    xw_buf *b;
    bool failed;
} enc_ctx;

static void enc_value(enc_ctx *e, const xw_type *t, const void *slot,
                      bool ctor_only);

static void
enc_invalid(enc_ctx *e, const char *what, const xw_type *t)
{
    if (!e->failed)
        set_errorf(e->s, "INVALID_ARGUMENT", "%s of type %s cannot be sent", what, t->name);
    e->failed = true;
}

/* The text of a map key. Returns NULL (and fails) for an unusable key. */
static const char *
enc_key(enc_ctx *e, const xw_type *t, const void *slot, char tmp[32])
{
    int v;
    const char *s;
    switch (t->kind)
    {
    case XW_STRING:
        s = get_ptr(slot);
        return s != NULL ? s : "";
    case XW_REF:
        s = get_ptr(slot);
        return s != NULL ? s : NULL_REF;
    case XW_INT:
        snprintf(tmp, 32, "%" PRId64, get_int(slot));
        return tmp;
    case XW_ENUM:
        v = get_enum(slot);
        if (v < 0 || (size_t)v >= t->value_count)
        {
            enc_invalid(e, "an undefined enum value used as a map key", t);
            return NULL;
        }
        return t->values[v];
    default:
        enc_invalid(e, "a map key", t);
        return NULL;
    }
}

/* Writes <value><tag>text</tag></value>; text needs no escaping. */
static void
buf_tagged(xw_buf *b, const char *tag, const char *text)
{
    buf_str(b, "<value><");
    buf_str(b, tag);
    buf_str(b, ">");
    buf_str(b, text);
    buf_str(b, "</");
    buf_str(b, tag);
    buf_str(b, "></value>");
}

/* Writes one struct member: its name, then the value in slot. */
static void
enc_member(enc_ctx *e, const char *name, const xw_type *t, const void *slot)
{
    buf_str(e->b, "<member><name>");
    buf_text(e->b, name);
    buf_str(e->b, "</name>");
    enc_value(e, t, slot, false);
    buf_str(e->b, "</member>");
}

static void
enc_ref_of_opt(enc_ctx *e, const xw_type *t, const void *slot)
{
    void *p = get_ptr(slot);
    const char *ref = NULL;
    if (p != NULL)
    {
        bool is_record;
        memcpy(&is_record, p, sizeof is_record);
        void *u = get_ptr(at(p, OPT_U));
        if (!is_record)
            ref = u;
        else if (u != NULL && t->elem->has_handle)
            ref = get_ptr(u);
    }
    buf_string_value(e->b, ref != NULL ? ref : NULL_REF);
}

static void
enc_value(enc_ctx *e, const xw_type *t, const void *slot, bool ctor_only)
{
    xw_buf *b = e->b;
    char tmp[64];
    void *p;
    switch (t->kind)
    {
    case XW_STRING:
        p = get_ptr(slot);
        buf_string_value(b, p != NULL ? p : "");
        break;
    case XW_REF:
        p = get_ptr(slot);
        buf_string_value(b, p != NULL ? p : NULL_REF);
        break;
    case XW_SESSION:
    {
        const xen_session *other = get_ptr(slot);
        buf_string_value(b, other != NULL && other->session_id != NULL ? other->session_id : NULL_REF);
        break;
    }
    case XW_INT:
        snprintf(tmp, sizeof tmp, "%" PRId64, get_int(slot));
        buf_string_value(b, tmp);
        break;
    case XW_FLOAT:
    {
        double v;
        memcpy(&v, slot, sizeof v);
        snprintf(tmp, sizeof tmp, "%.17g", v);
        buf_tagged(b, "double", tmp);
        break;
    }
    case XW_BOOL:
    {
        bool v;
        memcpy(&v, slot, sizeof v);
        buf_tagged(b, "boolean", v ? "1" : "0");
        break;
    }
    case XW_DATETIME:
    {
        time_t v;
        memcpy(&v, slot, sizeof v);
        format_datetime(v, tmp);
        buf_tagged(b, "dateTime.iso8601", tmp);
        break;
    }
    case XW_ENUM:
    {
        int v = get_enum(slot);
        if (v < 0 || (size_t)v >= t->value_count)
            enc_invalid(e, "an undefined enum value", t);
        else
            buf_string_value(b, t->values[v]);
        break;
    }
    case XW_SET:
        buf_str(b, "<value><array><data>");
        p = get_ptr(slot);
        for (size_t i = 0; p != NULL && i < get_size(p) && !e->failed; i++)
            enc_value(e, t->elem, item_at(t, p, i), false);
        buf_str(b, "</data></array></value>");
        break;
    case XW_MAP:
        buf_str(b, "<value><struct>");
        p = get_ptr(slot);
        for (size_t i = 0; p != NULL && i < get_size(p) && !e->failed; i++)
        {
            char *pair = item_at(t, p, i);
            const char *key = enc_key(e, t->key, pair, tmp);
            if (key == NULL)
                break;
            enc_member(e, key, t->val, pair + t->val_offset);
        }
        buf_str(b, "</struct></value>");
        break;
    case XW_RECORD:
        buf_str(b, "<value><struct>");
        p = get_ptr(slot);
        for (size_t i = 0; p != NULL && i < t->field_count && !e->failed; i++)
        {
            const xw_field *f = &t->fields[i];
            void *fslot = at(p, f->offset);
            bool left_out = (ctor_only && !f->in_ctor) || (f->type->kind == XW_OPTION && get_ptr(fslot) == NULL);
            if (!left_out)
                enc_member(e, f->key, f->type, fslot);
        }
        buf_str(b, "</struct></value>");
        break;
    case XW_RECORD_OPT:
        enc_ref_of_opt(e, t, slot);
        break;
    case XW_OPTION:
        p = get_ptr(slot);
        if (p == NULL)
            buf_string_value(b, "");
        else if (is_pointer_kind(t->elem))
            enc_value(e, t->elem, slot, false);
        else
            enc_value(e, t->elem, p, false);
        break;
    }
}


/* ---------------------------------------------------------------------- */
/* Decoding                                                               */
/* ---------------------------------------------------------------------- */

typedef struct
{
    xen_session *s;
    char path[200];
    size_t path_len;
    bool failed;
} dec_ctx;

static size_t
path_push(dec_ctx *d, const char *fmt, const char *text, size_t index)
{
    size_t old = d->path_len;
    if (d->path_len < sizeof d->path - 1)
    {
        int n;
        if (text != NULL)
            n = snprintf(d->path + d->path_len, sizeof d->path - d->path_len, fmt, text);
        else
            n = snprintf(d->path + d->path_len, sizeof d->path - d->path_len, fmt, index);
        if (n > 0)
            d->path_len += (size_t)n;
        if (d->path_len > sizeof d->path - 1)
            d->path_len = sizeof d->path - 1;
    }
    return old;
}

static void
path_pop(dec_ctx *d, size_t old)
{
    d->path_len = old;
    d->path[old] = '\0';
}

static void
dec_fail(dec_ctx *d, const char *fmt, const char *a, const char *b)
{
    if (!d->failed)
    {
        char what[300];
        snprintf(what, sizeof what, fmt, a, b);
        if (d->path[0] != '\0')
            set_errorf(d->s, "MALFORMED_RESPONSE", "%s at %s", what, d->path);
        else
            xw_set_error(d->s, "MALFORMED_RESPONSE", what);
    }
    d->failed = true;
}

static void
dec_nomem(dec_ctx *d)
{
    if (!d->failed)
        xw_set_error(d->s, "OUT_OF_MEMORY", "decoding the reply ran out of memory");
    d->failed = true;
}

static bool
is_elem(const xmlNode *n, const char *name)
{
    return n != NULL && n->type == XML_ELEMENT_NODE &&
           xmlStrcmp(n->name, (const xmlChar *)name) == 0;
}

static xmlNode *
next_elem(xmlNode *n)
{
    for (; n != NULL; n = n->next)
        if (n->type == XML_ELEMENT_NODE)
            return n;
    return NULL;
}

static xmlNode *
first_elem(xmlNode *parent)
{
    return parent != NULL ? next_elem(parent->children) : NULL;
}

/* The element n, or the first after it, with the given name. */
static xmlNode *
next_named(xmlNode *n, const char *name)
{
    for (n = next_elem(n); n != NULL && !is_elem(n, name); n = next_elem(n->next))
        ;
    return n;
}

/* The first child element with the given name. */
static xmlNode *
child(xmlNode *parent, const char *name)
{
    return parent != NULL ? next_named(parent->children, name) : NULL;
}

/* Where the <value>s of an <array> are: its <data>, or the array itself
   from servers that leave <data> out. */
static xmlNode *
array_items(xmlNode *array)
{
    xmlNode *data = child(array, "data");
    return data != NULL ? data : array;
}

/* The element inside a <value>, or NULL for a bare string. */
static xmlNode *
value_type(xmlNode *value)
{
    return first_elem(value);
}

/* The name of what a <value> holds, for messages. */
static const char *
value_kind(xmlNode *value)
{
    xmlNode *e = value_type(value);
    return e != NULL ? (const char *)e->name : "string";
}

/*
 * The text of a scalar <value> and its type tag ("string" for bare text).
 * Returns NULL (after recording a failure) if the value holds an array or
 * a struct. The text is yours to xmlFree().
 */
static xmlChar *
scalar(dec_ctx *d, xmlNode *value, const char *expected, const char **tag)
{
    xmlNode *e = value_type(value);
    xmlChar *text;
    if (e == NULL)
    {
        *tag = "string";
        text = xmlNodeGetContent(value);
    }
    else
    {
        *tag = (const char *)e->name;
        if (is_elem(e, "array") || is_elem(e, "struct") || first_elem(e) != NULL)
        {
            dec_fail(d, "expected %s but found <%s>", expected, *tag);
            return NULL;
        }
        text = xmlNodeGetContent(e);
    }
    if (text == NULL)
        text = xmlStrdup((const xmlChar *)"");
    if (text == NULL)
        dec_nomem(d);
    return text;
}

static bool
tag_is(const char *tag, const char *a, const char *b, const char *c, const char *e)
{
    return (a != NULL && strcmp(tag, a) == 0) || (b != NULL && strcmp(tag, b) == 0) ||
           (c != NULL && strcmp(tag, c) == 0) || (e != NULL && strcmp(tag, e) == 0);
}

static bool
parse_int(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s)
        return false;
    while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
        end++;
    if (*end != '\0' || errno == ERANGE)
        return false;
    *out = (int64_t)v;
    return true;
}

static bool
parse_float(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s)
        return false;
    while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
        end++;
    if (*end != '\0')
        return false;
    *out = v;
    return true;
}

static bool
parse_bool(const char *s, bool *out)
{
    while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    if ((n == 1 && s[0] == '1') || (n == 4 && strncmp(s, "true", 4) == 0))
        *out = true;
    else if ((n == 1 && s[0] == '0') || (n == 5 && strncmp(s, "false", 5) == 0))
        *out = false;
    else
        return false;
    return true;
}

static bool dec_value(dec_ctx *d, const xw_type *t, xmlNode *value, void *slot);
static void apply_default(dec_ctx *d, const xw_field *f, void *slot);

/* Stores the newly allocated block p in slot; false, after a failure,
   when the allocation failed (p is NULL). */
static bool
dec_put(dec_ctx *d, void *slot, void *p)
{
    if (p == NULL)
    {
        dec_nomem(d);
        return false;
    }
    put_ptr(slot, p);
    return true;
}

/* Copies a scalar of n bytes into slot; always true, to end a chain of
   checks. */
static bool
put_scalar(void *slot, const void *v, size_t n)
{
    memcpy(slot, v, n);
    return true;
}

/* A string, ref, enum or session from the text of a <value>. */
static bool
dec_string_like(dec_ctx *d, const xw_type *t, const char *tag, const char *text, void *slot)
{
    if (!tag_is(tag, "string", NULL, NULL, NULL))
    {
        dec_fail(d, "expected %s but found <%s>", t->name, tag);
        return false;
    }
    if (t->kind == XW_ENUM)
    {
        int v = xw_enum_from_string(t, text);
        return put_scalar(slot, &v, sizeof v);
    }
    if (t->kind != XW_SESSION)
        return dec_put(d, slot, xw_strdup(text));
    xen_session *other = xw_session_new(d->s->call_func, d->s->handle, d->s->api_version);
    char *id = xw_strdup(text);
    if (other == NULL || id == NULL)
    {
        free(id);
        xw_session_free(other);
        dec_nomem(d);
        return false;
    }
    other->session_id = id;
    put_ptr(slot, other);
    return true;
}

/* An int, float, bool or date from the text of a <value>, in any of the
   forms servers are known to send it. */
static bool
dec_number(dec_ctx *d, const xw_type *t, const char *tag, const char *s, void *slot)
{
    int64_t i;
    double f;
    time_t when;
    bool b;
    bool ok = false;
    /* Each: the tags the value may come in, then its text parsed. */
    switch (t->kind)
    {
    case XW_INT:
        ok = tag_is(tag, "string", "i4", "int", "i8") && parse_int(s, &i) && put_scalar(slot, &i, sizeof i);
        break;
    case XW_FLOAT:
        ok = (tag_is(tag, "double", "string", "i4", "int") || tag_is(tag, "i8", NULL, NULL, NULL)) &&
             parse_float(s, &f) && put_scalar(slot, &f, sizeof f);
        break;
    case XW_DATETIME:
        ok = (tag_is(tag, "dateTime.iso8601", "string", "i4", "int") || tag_is(tag, "i8", "double", NULL, NULL)) &&
             parse_datetime(s, &when) && put_scalar(slot, &when, sizeof when);
        break;
    case XW_BOOL:
        ok = tag_is(tag, "boolean", "string", "i4", "int") && parse_bool(s, &b) && put_scalar(slot, &b, sizeof b);
        break;
    default:
        break;
    }
    if (!ok)
    {
        /* Quote at most a little of the offending text. */
        char shown[48];
        snprintf(shown, sizeof shown, "%s", s);
        char what[160];
        snprintf(what, sizeof what, "<%s>%s%s</%s>", tag, shown, strlen(s) >= sizeof shown ? "..." : "", tag);
        dec_fail(d, "expected %s but found %s", t->name, what);
    }
    return ok;
}

/* A scalar <value>: a string-like one or a number, bool or date. */
static bool
dec_text(dec_ctx *d, const xw_type *t, xmlNode *value, void *slot)
{
    const char *tag;
    xmlChar *text = scalar(d, value, t->name, &tag);
    if (text == NULL)
        return false;
    bool string_like = t->kind == XW_STRING || t->kind == XW_REF || t->kind == XW_ENUM || t->kind == XW_SESSION;
    bool ok = string_like ? dec_string_like(d, t, tag, (const char *)text, slot)
                          : dec_number(d, t, tag, (const char *)text, slot);
    xmlFree(text);
    return ok;
}

/* Counts the child elements named name. */
static size_t
count_children(xmlNode *parent, const char *name)
{
    size_t n = 0;
    for (xmlNode *c = child(parent, name); c != NULL; c = next_named(c->next, name))
        n++;
    return n;
}

/* The <array> or <struct> (elem) that a <value> of type t must hold;
   NULL, after a failure worded by fmt, when it holds something else. */
static xmlNode *
container(dec_ctx *d, const xw_type *t, xmlNode *value, const char *elem, const char *fmt)
{
    xmlNode *c = value_type(value);
    if (is_elem(c, elem))
        return c;
    dec_fail(d, fmt, t->name, value_kind(value));
    return NULL;
}

/* Allocates the items of a set or map, one for each child element `name`
   of parent, and stores them in slot; NULL after a failure. */
static void *
dec_items(dec_ctx *d, const xw_type *t, xmlNode *parent, const char *name, void *slot)
{
    void *items = xw_alloc_items(t, count_children(parent, name));
    return dec_put(d, slot, items) ? items : NULL;
}

static bool
dec_set(dec_ctx *d, const xw_type *t, xmlNode *value, void *slot)
{
    xmlNode *array = container(d, t, value, "array", "expected %s (an <array>) but found <%s>");
    xmlNode *data = array != NULL ? array_items(array) : NULL;
    void *items = data != NULL ? dec_items(d, t, data, "value", slot) : NULL;
    xmlNode *c = items != NULL ? child(data, "value") : NULL;
    for (size_t i = 0; c != NULL && i < get_size(items); c = next_named(c->next, "value"), i++)
    {
        size_t old = path_push(d, "[%zu]", NULL, i);
        bool ok = dec_value(d, t->elem, c, item_at(t, items, i));
        path_pop(d, old);
        if (!ok)
            return false;
    }
    return items != NULL;
}

/* Decodes a map key from its text. */
static bool
dec_key(dec_ctx *d, const xw_type *t, const char *text, void *slot)
{
    switch (t->kind)
    {
    case XW_STRING:
    case XW_REF:
    {
        char *copy = xw_strdup(text);
        if (copy == NULL)
        {
            dec_nomem(d);
            return false;
        }
        put_ptr(slot, copy);
        return true;
    }
    case XW_INT:
    {
        int64_t v;
        if (!parse_int(text, &v))
        {
            dec_fail(d, "expected an int key but found \"%s\"%s", text, "");
            return false;
        }
        memcpy(slot, &v, sizeof v);
        return true;
    }
    case XW_ENUM:
    {
        int v = xw_enum_from_string(t, text);
        memcpy(slot, &v, sizeof v);
        return true;
    }
    default:
        dec_fail(d, "a map key of type %s cannot be decoded%s", t->name, "");
        return false;
    }
}

/* The text of a struct member's <name> (for the caller to xmlFree) and
   its <value>; false, after a failure, when either is missing or memory
   ran out. */
static bool
member_parts(dec_ctx *d, xmlNode *m, xmlChar **key, xmlNode **val)
{
    xmlNode *name = child(m, "name");
    *val = child(m, "value");
    if (name == NULL || *val == NULL)
    {
        dec_fail(d, "a struct member lacks its %s%s", name == NULL ? "<name>" : "<value>", "");
        return false;
    }
    *key = xmlNodeGetContent(name);
    if (*key == NULL)
        dec_nomem(d);
    return *key != NULL;
}

static bool
dec_map(dec_ctx *d, const xw_type *t, xmlNode *value, void *slot)
{
    xmlNode *st = container(d, t, value, "struct", "expected %s (a <struct>) but found <%s>");
    void *items = st != NULL ? dec_items(d, t, st, "member", slot) : NULL;
    xmlNode *m = items != NULL ? child(st, "member") : NULL;
    for (size_t i = 0; m != NULL && i < get_size(items); m = next_named(m->next, "member"), i++)
    {
        xmlChar *key = NULL;
        xmlNode *val = NULL;
        if (!member_parts(d, m, &key, &val))
            return false;
        char *pair = item_at(t, items, i);
        size_t old = path_push(d, "[\"%.60s\"]", (const char *)key, 0);
        bool ok = dec_key(d, t->key, (const char *)key, pair) &&
                  dec_value(d, t->val, val, pair + t->val_offset);
        if (ok && t->key->kind == XW_REF && t->val->kind == XW_RECORD && t->val->has_handle)
            xw_set_handle(get_ptr(pair + t->val_offset), (const char *)key);
        path_pop(d, old);
        xmlFree(key);
        if (!ok)
            return false;
    }
    return items != NULL;
}

/* Other spellings of member names that some servers send, each with the
   API's own spelling. */
static const char *const MEMBER_ALIASES[][2] = {
    {"validRefCounts", "valid_ref_counts"},
};

/* Whether struct member `key` stands for the field named `field`. */
static bool
member_is(const char *field, const char *key)
{
    if (strcmp(field, key) == 0)
        return true;
    for (size_t i = 0; i < sizeof MEMBER_ALIASES / sizeof MEMBER_ALIASES[0]; i++)
        if (strcmp(MEMBER_ALIASES[i][0], key) == 0 && strcmp(MEMBER_ALIASES[i][1], field) == 0)
            return true;
    return false;
}

static bool
dec_record(dec_ctx *d, const xw_type *t, xmlNode *value, void *slot)
{
    xmlNode *st = container(d, t, value, "struct", "expected %s (a <struct>) but found <%s>");
    if (st == NULL)
        return false;
    void *rec = xw_alloc_zeroed(t->record_size);
    bool *seen = calloc(t->field_count + 1, sizeof *seen);
    if (rec == NULL || seen == NULL)
    {
        free(rec);
        free(seen);
        dec_nomem(d);
        return false;
    }
    put_ptr(slot, rec);
    bool ok = true;
    for (xmlNode *m = child(st, "member"); m != NULL && ok; m = next_named(m->next, "member"))
    {
        xmlChar *key = NULL;
        xmlNode *val = NULL;
        ok = member_parts(d, m, &key, &val);
        for (size_t i = 0; ok && i < t->field_count; i++)
        {
            const xw_field *f = &t->fields[i];
            if (!member_is(f->key, (const char *)key))
                continue;
            void *fslot = at(rec, f->offset);
            if (seen[i])
                xw_free(f->type, fslot);
            seen[i] = true;
            size_t old = path_push(d, ".%.60s", f->key, 0);
            ok = dec_value(d, f->type, val, fslot);
            path_pop(d, old);
            break;
        }
        /* Fields this version does not know are skipped. */
        if (key != NULL)
            xmlFree(key);
    }
    for (size_t i = 0; i < t->field_count && ok; i++)
        if (!seen[i])
        {
            size_t old = path_push(d, ".%.60s", t->fields[i].key, 0);
            apply_default(d, &t->fields[i], at(rec, t->fields[i].offset));
            path_pop(d, old);
            ok = !d->failed;
        }
    free(seen);
    return ok;
}

static bool
dec_record_opt(dec_ctx *d, const xw_type *t, xmlNode *value, void *slot)
{
    void *opt = xw_alloc_zeroed(sizeof(xw_opt_layout));
    if (!dec_put(d, slot, opt))
        return false;
    if (is_elem(value_type(value), "struct"))
    {
        /* A whole record where a reference was expected. */
        bool is_record = true;
        memcpy(opt, &is_record, sizeof is_record);
        return dec_record(d, t->elem, value, at(opt, OPT_U));
    }
    return dec_text(d, &xw_t_ref, value, at(opt, OPT_U));
}

static bool
dec_option(dec_ctx *d, const xw_type *t, xmlNode *value, void *slot)
{
    xmlNode *e = value_type(value);
    if (is_elem(e, "nil"))
        return true;
    if (is_elem(e, "array") && t->elem->kind != XW_SET && count_children(array_items(e), "value") == 0)
        return true;
    if (is_pointer_kind(t->elem))
        return dec_value(d, t->elem, value, slot);
    void *inner = calloc(1, xw_slot_size(t->elem));
    return dec_put(d, slot, inner) && dec_value(d, t->elem, value, inner);
}

static bool
dec_value(dec_ctx *d, const xw_type *t, xmlNode *value, void *slot)
{
    if (d->failed)
        return false;
    switch (t->kind)
    {
    case XW_SET:
        return dec_set(d, t, value, slot);
    case XW_MAP:
        return dec_map(d, t, value, slot);
    case XW_RECORD:
        return dec_record(d, t, value, slot);
    case XW_RECORD_OPT:
        return dec_record_opt(d, t, value, slot);
    case XW_OPTION:
        return dec_option(d, t, value, slot);
    default:
        /* Strings, refs, enums, sessions, numbers, bools and dates. */
        return dec_text(d, t, value, slot);
    }
}

/* Parses a small XML document held in memory; NULL if it is not XML. */
static xmlDoc *
parse_xml(const char *data, size_t len)
{
    if (len > INT_MAX)
        return NULL;
    return xmlReadMemory(data, (int)len, NULL, NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* A field absent from a record takes its default, or its type's empty value. */
static void
apply_default(dec_ctx *d, const xw_field *f, void *slot)
{
    if (f->dflt != NULL)
    {
        xmlDoc *doc = parse_xml(f->dflt, strlen(f->dflt));
        xmlNode *root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
        if (!is_elem(root, "value"))
            dec_fail(d, "the default of %s is broken%s", f->key, "");
        else
            dec_value(d, f->type, root, slot);
        xmlFreeDoc(doc);
        return;
    }
    void *p = NULL;
    switch (f->type->kind)
    {
    case XW_STRING:
        p = xw_strdup("");
        break;
    case XW_REF:
        p = xw_strdup(NULL_REF);
        break;
    case XW_SET:
    case XW_MAP:
        p = xw_alloc_items(f->type, 0);
        break;
    case XW_RECORD_OPT:
        p = xw_alloc_zeroed(sizeof(xw_opt_layout));
        if (p != NULL)
        {
            char *ref = xw_strdup(NULL_REF);
            if (ref == NULL)
            {
                free(p);
                p = NULL;
            }
            else
                put_ptr(at(p, OPT_U), ref);
        }
        break;
    default:
        /* Numbers, bools, dates and enums stay zero (an enum's first
           value); options and nested records stay NULL. */
        return;
    }
    if (p == NULL)
        dec_nomem(d);
    put_ptr(slot, p);
}

/* The text of each element of an ErrorDescription. */
static char *
description_item(xmlNode *value)
{
    xmlNode *e = value_type(value);
    if (e != NULL && (is_elem(e, "array") || is_elem(e, "struct")))
        return xw_strdup("");
    xmlChar *text = xmlNodeGetContent(e != NULL ? e : value);
    char *r = xw_strdup(text != NULL ? (const char *)text : "");
    xmlFree(text);
    return r;
}

static void
dec_failure(dec_ctx *d, xmlNode *desc)
{
    if (desc == NULL)
    {
        dec_fail(d, "a failed call's reply has no %s%s", "ErrorDescription", "");
        return;
    }
    xmlNode *array = value_type(desc);
    if (is_elem(array, "struct"))
    {
        dec_fail(d, "expected a list of strings but found <%s>%s", "struct", "");
        return;
    }
    size_t n = 1;
    xmlNode *data = NULL;
    if (is_elem(array, "array"))
    {
        data = array_items(array);
        n = count_children(data, "value");
        if (n == 0)
        {
            dec_fail(d, "a failed call's reply has an empty %s%s", "ErrorDescription", "");
            return;
        }
    }
    if (n > INT_MAX)
        n = INT_MAX;
    char **items = calloc(n, sizeof *items);
    if (items == NULL)
    {
        dec_nomem(d);
        return;
    }
    if (data == NULL)
        items[0] = description_item(desc);
    else
    {
        size_t i = 0;
        for (xmlNode *c = child(data, "value"); c != NULL && i < n; c = next_named(c->next, "value"))
            items[i++] = description_item(c);
    }
    set_error_list(d->s, items, (int)n);
    d->failed = true;
}

/* The <value> of the struct member with the given name, or NULL. */
static xmlNode *
member_value(xmlNode *st, const char *key)
{
    for (xmlNode *m = child(st, "member"); m != NULL; m = next_named(m->next, "member"))
    {
        xmlNode *name = child(m, "name");
        if (name == NULL)
            continue;
        xmlChar *k = xmlNodeGetContent(name);
        bool match = k != NULL && xmlStrcmp(k, (const xmlChar *)key) == 0;
        xmlFree(k);
        if (match)
            return child(m, "value");
    }
    return NULL;
}

/* The text of a struct member's scalar value, or NULL. Yours to free. */
static char *
member_text(xmlNode *st, const char *key)
{
    xmlNode *value = member_value(st, key);
    return value != NULL ? description_item(value) : NULL;
}

static void
dec_reply(xen_session *s, const char *data, size_t len,
          const xw_type *result_type, void *result)
{
    dec_ctx d = { .s = s, .path = "", .path_len = 0, .failed = false };
    if (len == 0)
    {
        xw_set_error(s, "MALFORMED_RESPONSE", "the server sent an empty reply");
        return;
    }
    xmlResetLastError();
    xmlDoc *doc = parse_xml(data, len);
    if (doc == NULL)
    {
        /* libxml2's own words, without the trailing newline. */
        const xmlError *err = xmlGetLastError();
        char why[200] = "";
        if (err != NULL && err->message != NULL)
        {
            snprintf(why, sizeof why, "%s", err->message);
            size_t n = strlen(why);
            while (n > 0 && (why[n - 1] == '\n' || why[n - 1] == ' '))
                why[--n] = '\0';
            for (char *c = why; *c != '\0'; c++)
                if (*c == '\n')
                    *c = ' ';
        }
        set_errorf(s, "MALFORMED_RESPONSE", "the reply is not well-formed XML (%s, line %d)",
                   why[0] != '\0' ? why : "unknown error", err != NULL ? err->line : 0);
        return;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *top = first_elem(root);
    if (!is_elem(root, "methodResponse"))
        xw_set_error(s, "MALFORMED_RESPONSE", "the reply is not an XML-RPC methodResponse");
    else if (is_elem(top, "fault"))
    {
        xmlNode *st = value_type(child(top, "value"));
        char *code = is_elem(st, "struct") ? member_text(st, "faultCode") : NULL;
        char *text = is_elem(st, "struct") ? member_text(st, "faultString") : NULL;
        char **items = calloc(3, sizeof *items);
        if (items != NULL)
        {
            items[0] = xw_strdup("SERVER_FAULT");
            items[1] = code != NULL ? code : xw_strdup("");
            items[2] = text != NULL ? text : xw_strdup("");
            code = text = NULL;
        }
        free(code);
        free(text);
        set_error_list(s, items, 3);
    }
    else
    {
        xmlNode *param = is_elem(top, "params") ? child(top, "param") : NULL;
        xmlNode *value = param != NULL ? child(param, "value") : NULL;
        xmlNode *st = value != NULL ? value_type(value) : NULL;
        if (!is_elem(st, "struct"))
            xw_set_error(s, "MALFORMED_RESPONSE",
                         "the reply does not hold a struct with a Status");
        else
        {
            xmlNode *val;
            char *status = member_text(st, "Status");
            if (status != NULL && strcmp(status, "Success") == 0)
            {
                val = member_value(st, "Value");
                if (result_type == NULL)
                    ; /* void: whatever Value holds is ignored */
                else if (val == NULL)
                    xw_set_error(s, "MALFORMED_RESPONSE", "a successful reply has no Value");
                else
                {
                    size_t old = path_push(&d, "%s", "Value", 0);
                    dec_value(&d, result_type, val, result);
                    path_pop(&d, old);
                }
            }
            else if (status != NULL && strcmp(status, "Failure") == 0)
            {
                dec_failure(&d, member_value(st, "ErrorDescription"));
            }
            else if (status == NULL)
                xw_set_error(s, "MALFORMED_RESPONSE", "the reply has no Status");
            else
                set_errorf(s, "MALFORMED_RESPONSE", "the reply has an unknown Status \"%.40s\"", status);
            free(status);
        }
    }
    xmlFreeDoc(doc);
}


/* ---------------------------------------------------------------------- */
/* Calls                                                                  */
/* ---------------------------------------------------------------------- */

static bool
collect(const void *data, size_t len, void *handle)
{
    xw_buf *b = handle;
    buf_add(b, data, len);
    return !b->failed;
}

static bool
do_call(xen_session *s, const char *method, bool with_session,
        const xw_arg *args, size_t count, const xw_type *result_type,
        void *result)
{
    if (result_type != NULL && result != NULL)
        memset(result, 0, xw_slot_size(result_type));
    if (s == NULL || !s->ok)
        return false;
    if (s->call_func == NULL)
    {
        xw_set_error(s, "TRANSPORT_FAULT", "the session has no transport");
        return false;
    }

    xw_buf req = { NULL, 0, 0, false };
    enc_ctx e = { .s = s, .b = &req, .failed = false };
    buf_str(&req, "<?xml version=\"1.0\"?>\n<methodCall><methodName>");
    buf_text(&req, method);
    buf_str(&req, "</methodName><params>");
    if (with_session)
    {
        buf_str(&req, "<param>");
        buf_string_value(&req, s->session_id != NULL ? s->session_id : NULL_REF);
        buf_str(&req, "</param>");
    }
    for (size_t i = 0; i < count && !e.failed; i++)
    {
        buf_str(&req, "<param>");
        enc_value(&e, args[i].type, args[i].slot, args[i].ctor_only);
        buf_str(&req, "</param>");
    }
    buf_str(&req, "</params></methodCall>\n");
    if (e.failed)
    {
        free(req.data);
        return false;
    }
    if (req.failed)
    {
        free(req.data);
        xw_set_error(s, "OUT_OF_MEMORY", "the request could not be built");
        return false;
    }

    xw_buf reply = { NULL, 0, 0, false };
    int rc = s->call_func(req.data, req.len, s->handle, &reply, collect);
    free(req.data);
    if (rc != 0)
        set_errorf(s, "TRANSPORT_FAULT", "the transport failed (code %d) calling %.100s", rc, method);
    else if (reply.failed)
        xw_set_error(s, "OUT_OF_MEMORY", "the reply could not be stored");
    else
        dec_reply(s, reply.data != NULL ? reply.data : "", reply.len, result_type, result);
    free(reply.data);

    if (!s->ok && result_type != NULL && result != NULL)
        xw_free(result_type, result);
    return s->ok;
}

bool
xw_call(xen_session *s, const char *method, const xw_arg *args, size_t count,
        const xw_type *result_type, void *result)
{
    return do_call(s, method, true, args, count, result_type, result);
}

bool
xw_call_raw(xen_session *s, const char *method, const xw_arg *args,
            size_t count, const xw_type *result_type, void *result)
{
    return do_call(s, method, false, args, count, result_type, result);
}
