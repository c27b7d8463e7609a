/*
 * Internal to the library: how values of every C type of the SDK are laid
 * out in memory, and the XML-RPC call machinery that works from those
 * descriptions. Not installed; programs never include it.
 *
 * Each type of the API has one constant xw_type describing it (generated
 * into xen_types.c). Encoding a request, decoding a reply and freeing a
 * value are written once here and driven by those descriptions, so the
 * code generated per call is only a table of its arguments.
 *
 * A "slot" is the memory that holds one value of a type: a char * for
 * strings, an int64_t for ints, a pointer to the set, map or record for
 * those, and so on (see xw_slot_size()).
 */

#ifndef XEN_WIRE_H
#define XEN_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/api/xen_common.h>

typedef enum
{
    XW_STRING,      /* char * */
    XW_INT,         /* int64_t */
    XW_FLOAT,       /* double */
    XW_BOOL,        /* bool */
    XW_DATETIME,    /* time_t */
    XW_ENUM,        /* an enum, stored as int */
    XW_REF,         /* an opaque handle (void *) holding the ref string */
    XW_SESSION,     /* xen_session *: sent as its session_id */
    XW_SET,         /* pointer to { size_t size; T contents[]; } */
    XW_MAP,         /* pointer to { size_t size; { K key; V val; } contents[]; } */
    XW_RECORD,      /* pointer to a record struct */
    XW_RECORD_OPT,  /* pointer to { bool is_record; union { handle; record * } u; } */
    XW_OPTION       /* pointer-like inner type: NULL when absent;
                       scalar inner type: pointer to a heap copy, or NULL */
} xw_kind;

typedef struct xw_type xw_type;

/* One field of a record. */
typedef struct
{
    const char *key;       /* the name on the wire */
    const xw_type *type;
    size_t offset;         /* of its slot in the record struct */
    const char *dflt;      /* the default as an XML-RPC <value>, or NULL
                              for the type's empty value */
    bool in_ctor;          /* sent in the record given to CLASS.create */
} xw_field;

struct xw_type
{
    xw_kind kind;
    const char *name;                  /* in API notation, for messages */
    /* XW_ENUM */
    const char *const *values;
    size_t value_count;                /* the UNDEFINED value's number */
    /* XW_SET (element), XW_OPTION (inner), XW_RECORD_OPT (record) */
    const xw_type *elem;
    /* XW_SET, XW_MAP: offset of contents[], size of one item */
    size_t contents_offset;
    size_t item_size;
    /* XW_MAP */
    const xw_type *key;
    const xw_type *val;
    size_t val_offset;
    /* XW_RECORD */
    size_t record_size;
    const xw_field *fields;
    size_t field_count;
    bool has_handle;                   /* a "handle" member at offset 0 */
};

/* One argument of a call: its type and a pointer to its slot. */
typedef struct
{
    const xw_type *type;
    const void *slot;
    bool ctor_only;    /* a record sent to CLASS.create: constructor fields only */
} xw_arg;

/* Types shared by all generated code. */
extern const xw_type xw_t_string;
extern const xw_type xw_t_int;
extern const xw_type xw_t_float;
extern const xw_type xw_t_bool;
extern const xw_type xw_t_datetime;
extern const xw_type xw_t_ref;
extern const xw_type xw_t_session;

/* The size of the slot of a value of type t. */
size_t xw_slot_size(const xw_type *t);

/* Frees everything the slot owns and clears it. */
void xw_free(const xw_type *t, void *slot);

/* Frees a set, map, record or record_opt given by its pointer. */
void xw_free_ptr(const xw_type *t, void *ptr);

/* Allocates a zeroed set or map of the given size, with size set. */
void *xw_alloc_items(const xw_type *t, size_t size);

/* Allocates a zeroed object (record, record_opt). */
void *xw_alloc_zeroed(size_t size);

/* strdup, which C99 lacks. NULL in, NULL out. */
char *xw_strdup(const char *s);

/*
 * Calls CLASS.message with the session ref first, then args. The result
 * slot is cleared first; on success it holds the decoded value (pass NULL
 * for void results). Returns session->ok.
 */
bool xw_call(xen_session *s, const char *method, const xw_arg *args,
             size_t count, const xw_type *result_type, void *result);

/* The same without the session ref: for the login calls. */
bool xw_call_raw(xen_session *s, const char *method, const xw_arg *args,
                 size_t count, const xw_type *result_type, void *result);

/* Gives a record fetched by its ref that ref as its handle. */
void xw_set_handle(void *record, const void *ref);

/* Records an error of the library's own on the session. */
void xw_set_error(xen_session *s, const char *code, const char *detail);

/* A new session that talks through call_func; NULL if memory runs out. */
xen_session *xw_session_new(xen_call_func call_func, void *handle,
                            xen_api_version version);

/* Frees a session object without telling the server. */
void xw_session_free(xen_session *s);

/* Enum helpers: the name of a value ("undefined" when out of range) and
   the value of a name (value_count when unknown). */
const char *xw_enum_to_string(const xw_type *t, int value);
int xw_enum_from_string(const xw_type *t, const char *name);

#endif
