/*
 * Versions of the XenAPI protocol, as passed to
 * xen_session_login_with_password().
 */

#ifndef XEN_API_VERSION_H
#define XEN_API_VERSION_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum xen_api_version
{
    xen_api_version_1_1 = 1,
    xen_api_version_1_2 = 2,
    xen_api_version_1_3 = 3,
    xen_api_version_1_4 = 4,
    xen_api_version_1_5 = 5,
    xen_api_version_1_6 = 6,
    xen_api_version_1_7 = 7,
    xen_api_version_1_8 = 8,
    xen_api_version_1_9 = 9,
    xen_api_version_1_10 = 10,
    xen_api_version_2_0 = 11,
    xen_api_version_2_1 = 12,
    xen_api_version_2_2 = 13,
    xen_api_version_2_3 = 14,
    xen_api_version_2_4 = 15,
    xen_api_version_2_5 = 16,
    xen_api_version_2_6 = 17,
    xen_api_version_2_7 = 18,
    xen_api_version_2_8 = 19,
    xen_api_version_2_9 = 20,
    xen_api_version_2_10 = 21,
    xen_api_version_2_11 = 22,
    xen_api_version_2_12 = 23,
    xen_api_version_2_13 = 24,
    xen_api_version_2_14 = 25,
    xen_api_version_2_15 = 26,
    xen_api_version_2_20 = 27,
    xen_api_version_2_21 = 28,
    xen_api_latest_version = 28,
    xen_api_unknown_version = 99,
} xen_api_version;


/*
 * The version as "MAJOR.MINOR" ("2.21"), or "Unknown". The string is
 * static: do not free it.
 */
extern const char *
xen_api_version_to_string(xen_api_version version);


/*
 * The version with the given numbers, as a server reports them in its
 * host record, or xen_api_unknown_version.
 */
extern xen_api_version
xen_api_version_from_int(int64_t major_version, int64_t minor_version);

#ifdef __cplusplus
}
#endif

#endif
