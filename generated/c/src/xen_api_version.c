/*
 * Names and numbers of the protocol versions of xen_api_version.h.
 */

#include <stddef.h>

#include <xen/api/xen_api_version.h>

static const struct
{
    xen_api_version version;
    int major;
    int minor;
    const char *text;
} versions[] = {
    { xen_api_version_1_1, 1, 1, "1.1" },
    { xen_api_version_1_2, 1, 2, "1.2" },
    { xen_api_version_1_3, 1, 3, "1.3" },
    { xen_api_version_1_4, 1, 4, "1.4" },
    { xen_api_version_1_5, 1, 5, "1.5" },
    { xen_api_version_1_6, 1, 6, "1.6" },
    { xen_api_version_1_7, 1, 7, "1.7" },
    { xen_api_version_1_8, 1, 8, "1.8" },
    { xen_api_version_1_9, 1, 9, "1.9" },
    { xen_api_version_1_10, 1, 10, "1.10" },
    { xen_api_version_2_0, 2, 0, "2.0" },
    { xen_api_version_2_1, 2, 1, "2.1" },
    { xen_api_version_2_2, 2, 2, "2.2" },
    { xen_api_version_2_3, 2, 3, "2.3" },
    { xen_api_version_2_4, 2, 4, "2.4" },
    { xen_api_version_2_5, 2, 5, "2.5" },
    { xen_api_version_2_6, 2, 6, "2.6" },
    { xen_api_version_2_7, 2, 7, "2.7" },
    { xen_api_version_2_8, 2, 8, "2.8" },
    { xen_api_version_2_9, 2, 9, "2.9" },
    { xen_api_version_2_10, 2, 10, "2.10" },
    { xen_api_version_2_11, 2, 11, "2.11" },
    { xen_api_version_2_12, 2, 12, "2.12" },
    { xen_api_version_2_13, 2, 13, "2.13" },
    { xen_api_version_2_14, 2, 14, "2.14" },
    { xen_api_version_2_15, 2, 15, "2.15" },
    { xen_api_version_2_20, 2, 20, "2.20" },
    { xen_api_version_2_21, 2, 21, "2.21" },
};

#define VERSION_COUNT (sizeof versions / sizeof versions[0])

const char *
xen_api_version_to_string(xen_api_version version)
{
    for (size_t i = 0; i < VERSION_COUNT; i++)
        if (versions[i].version == version)
            return versions[i].text;
    return "Unknown";
}

xen_api_version
xen_api_version_from_int(int64_t major_version, int64_t minor_version)
{
    for (size_t i = 0; i < VERSION_COUNT; i++)
        if (versions[i].major == major_version && versions[i].minor == minor_version)
            return versions[i].version;
    return xen_api_unknown_version;
}
