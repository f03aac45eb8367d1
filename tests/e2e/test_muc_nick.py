"""Changing the user's nick in a room (XEP-0045 7.6): an available
presence to room/new-nick becomes IRC NICK; the user gets its old
occupant unavailable (303, 110, the new nick) and the new one available
(110), and speaks under the new nick. A nick taken on IRC is refused: the
room says so and the old nick stays."""
from harness.ircclient import fresh_nick
from harness.muc import (change_nick, expect_nick_change, groupchat_from, irc_line, irc_wait,
                         is_presence, occupant, room_notice, say, user_in_room)


async def nick_on_irc(bob, old, new):
    """bob sees `:old NICK new`."""
    l = await irc_wait(bob, "NICK", old, what="the NICK of %s to %s" % (old, new))
    assert l.last == new, "IRC: %s changed nick to %r, expected %r: %s" % (old, l.last, new, l)


async def test_nick_change(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    old, new = c.nick, fresh_nick("New")   # mixed case: kept as asked
    change_nick(c, room, new)
    await nick_on_irc(bob, old, new)
    await expect_nick_change(c, room, old, new)

    say(c, room, "under my new nick")
    await irc_wait(bob, "PRIVMSG", new, channel, "under my new nick",
                   what="the user's message in %s from the new nick %s" % (channel, new))
    await c.expect(groupchat_from(occupant(room, new), "under my new nick"),
                   "the reflection from %s" % occupant(room, new))
    bob.privmsg(channel, "welcome, %s" % new)
    await c.expect(groupchat_from(occupant(room, bob.nick), "welcome, %s" % new),
                   "bob's message after the nick change")


async def test_nick_taken(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    holder = await ircs.new(prefix="carol")   # holds the nick, in no channel
    old = c.nick
    change_nick(c, room, holder.nick)
    m = await c.expect(room_notice(room, holder.nick),
                       "a groupchat message from %s saying %s is in use" % (room, holder.nick))
    assert m["body"].strip() != holder.nick, (
        "the message about the taken nick should say more than the nick:\n%s" % m)

    say(c, room, "still the old nick")
    await irc_wait(bob, "PRIVMSG", old, channel, "still the old nick",
                   what="the user's message from the old nick %s after the refusal" % old)
    await c.expect(groupchat_from(occupant(room, old), "still the old nick"),
                   "the reflection from the old occupant JID %s" % occupant(room, old))
    nicks = [l for l in bob.history if irc_line("NICK", old)(l)]
    assert not nicks, "IRC: the user's nick changed although %s is taken: %s" % (
        holder.nick, nicks[0])
    # (an error presence, e.g. conflict, is allowed; a nick change is not)
    moved = [st for st in c.inbox if is_presence(st) and str(st["from"].bare) == room
             and str(st["from"].resource) in (old, holder.nick)
             and st.xml.get("type") != "error"]
    assert not moved, "%s: an occupant presence although the nick change was refused:\n%s" % (
        c.bare, moved[0])

    # Not stuck: another, free nick works afterwards.
    new = fresh_nick("y")
    change_nick(c, room, new)
    await nick_on_irc(bob, old, new)
    await expect_nick_change(c, room, old, new)
