"""The open-files limit: raised to the hard limit at start-up, and logged,
so that a gateway started with the usual soft limit of 1,024 (or less)
can hold as many connections as the system allows it."""
from harness.scenario import registered_user


def max_open_files(pid):
    """(soft, hard) of the running process, from /proc."""
    with open("/proc/%d/limits" % pid) as f:
        for line in f:
            if line.startswith("Max open files"):
                soft, hard = line.split()[3:5]
                return int(soft), int(hard)
    raise AssertionError("no 'Max open files' in /proc/%d/limits" % pid)


async def test_soft_limit_raised_to_the_hard_limit(server, clients, gateways):
    gw = await gateways.new(nofile=(256, 4096))
    assert max_open_files(gw.proc.pid) == (4096, 4096)
    await gw.wait_log(r"open files: limit raised from 256 to 4096 \(the hard limit\)")
    # and it works as before
    c = await registered_user(clients, server)
    bob = "bob@" + server.component
    c.chat(bob, "hello")
    await c.expect_message(bob, "hello")


async def test_limit_already_at_the_hard_limit_is_kept(gateways):
    gw = await gateways.new(nofile=(2048, 2048))
    assert max_open_files(gw.proc.pid) == (2048, 2048)
    await gw.wait_log(r"open files: limit 2048 \(the hard limit\)")
