"""Lists the VMs of a XenAPI server with the generated typed package.

Usage: python3 example.py URL USER PASSWORD [xmlrpc|jsonrpc]
"""

from __future__ import annotations

import sys

from xenapi_client import Session, XenAPIError
from xenapi_client.enums import VmPowerState


def main(argv: list[str]) -> int:
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    url, user, password = argv[1], argv[2], argv[3]
    protocol = argv[4] if len(argv) > 4 else "xmlrpc"
    with Session(url, protocol=protocol) as session:
        try:
            session.login_with_password(user, password, "1.0", "xenapi-client example")
        except XenAPIError as e:
            print("login failed: %s" % e, file=sys.stderr)
            return 1
        running = 0
        for ref, vm in sorted(session.VM.get_all_records().items(), key=lambda kv: kv[1].name_label):
            if vm.is_a_template or vm.is_control_domain:
                continue
            if vm.power_state is VmPowerState.RUNNING:
                running += 1
            print("%-40s %-10s %d vCPUs %5d MiB  %s" % (vm.name_label, vm.power_state, vm.VCPUs_max, vm.memory_static_max >> 20, ref))
        print("%d running" % running)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
