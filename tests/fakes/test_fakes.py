#!/usr/bin/env python3
"""Self-test of the fake servers: every enforcement rule in README.md is exercised here.

    python3 tests/fakes/test_fakes.py        # prints a final line "N passed, N failed"

Standard library only; runs in well under 30 s.
"""

import base64
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fakectl  # noqa: E402

VND = "application/vnd.textus+jsonld"
ALICE = "tok_alice_FAKE_0001"
BOB = "tok_bob_FAKE_0002"
HKEY = "hvk_alice_FAKE_0001"
HKEY_RO = "hvk_readonly_FAKE_0002"
CLIENT, SECRET = "client_FAKE_0001", "csecret_FAKE_0001"
CLIENT_NOTES, SECRET_NOTES = "client_FAKE_0002", "csecret_FAKE_0002"

F = None            # FakeCtl of the HTTP instance
TMP = None
SEEN_TOKENS = []    # access tokens handed out during the run (must never be recorded)


def load_seed():
    with open(os.path.join(HERE, "seed.example.json"), encoding="utf-8") as fh:
        seed = json.load(fh)
    # more users so v1 page-based and v3 cursor pagination have several pages
    for i in range(110, 117):
        seed["harvest"]["users"].append({"id": i, "first_name": "U%d" % i, "last_name": "Extra",
                                         "primary_email_address": "u%d@acme.example" % i})
    return seed


def setUpModule():
    global F, TMP
    TMP = tempfile.mkdtemp(prefix="fakes-selftest-")
    F = fakectl.start(load_seed(), os.path.join(TMP, "http"),
                      extra_args=["--random-seed", "7", "--max-seconds", "120"])


def tearDownModule():
    if F is not None:
        F.stop()
    shutil.rmtree(TMP, ignore_errors=True)


# --------------------------------------------------------------------------- HTTP helpers

class Resp:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw
        try:
            self.json = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            self.json = None

    def h(self, name):
        return self.headers.get(name.lower())


def request(server, method, path, headers=None, body=None, conn=None, ctl=None):
    ctl = ctl or F
    own = conn is None
    if own:
        conn = http.client.HTTPConnection("127.0.0.1", ctl.ports[server], timeout=10)
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    elif isinstance(body, str):
        body = body.encode()
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        raw = r.read()
        return Resp(r.status, {k.lower(): v for k, v in r.getheaders()}, raw)
    finally:
        if own:
            conn.close()


def tx(method, path, token=ALICE, body=None, accept=VND, ctype=VND, extra=None, conn=None):
    headers = {}
    if token:
        headers["Authorization"] = "Bearer " + token
    if accept:
        headers["Accept"] = accept
    if body is not None and ctype:
        headers["Content-Type"] = ctype
    headers.update(extra or {})
    return request("textus", method, path, headers, body, conn=conn)


def basic(user, pw=""):
    return "Basic " + base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()


def hv1(method, path, key=HKEY, body=None, obo=None, extra=None):
    headers = {}
    if key:
        headers["Authorization"] = basic(key)
    if body is not None:
        headers["Content-Type"] = "application/json"
    if obo is not None:
        headers["On-Behalf-Of"] = str(obo)
    headers.update(extra or {})
    return request("harvest", method, path, headers, body)


def get_token(client=CLIENT, secret=SECRET, sub=None):
    form = {"grant_type": "client_credentials"}
    if sub is not None:
        form["sub"] = str(sub)
    r = request("auth", "POST", "/token",
                {"Authorization": basic(client, secret),
                 "Content-Type": "application/x-www-form-urlencoded"},
                urllib.parse.urlencode(form))
    if r.status == 200:
        SEEN_TOKENS.append(r.json["access_token"])
    return r


def hv3(method, path, token, body=None):
    headers = {"Authorization": "Bearer " + token} if token else {}
    if body is not None:
        headers["Content-Type"] = "application/json"
    return request("harvest", method, path, headers, body)


class Base(unittest.TestCase):
    def setUp(self):
        F.reset_faults()
        F.reset_rate_limits()

    def last_record(self, server):
        return F.requests(server)[-1]


# --------------------------------------------------------------------------- TextUs

class TextUsAuthAndHeaders(Base):
    def test_401_without_or_with_unknown_token(self):
        for tok in (None, "nope-not-a-token"):
            r = tx("GET", "/accounts", token=tok)
            self.assertEqual(r.status, 401)
            self.assertEqual(r.json["hydra:title"], "Unauthorized")
            self.assertIsNotNone(r.h("X-RateLimit-Limit"))

    def test_406_without_vendor_accept(self):
        for accept in (None, "application/json", "*/*"):
            r = tx("GET", "/accounts", accept=accept)
            self.assertEqual(r.status, 406, accept)
        self.assertEqual(tx("GET", "/accounts", accept="application/json, " + VND).status, 200)

    def test_415_body_without_vendor_content_type(self):
        r = tx("POST", "/acme/messages", body={"to": "+13035550123", "body": "x"},
               ctype="application/json")
        self.assertEqual(r.status, 415)
        # no body -> no Content-Type needed
        self.assertEqual(tx("PUT", "/acme/opt_outs/3035550155").status, 201)

    def test_ratelimit_headers_on_every_response(self):
        for r in (tx("GET", "/accounts"), tx("GET", "/nope"), tx("GET", "/accounts", token=None)):
            for h in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
                self.assertIsNotNone(r.h(h), h)
        self.assertEqual(tx("GET", "/accounts").h("X-RateLimit-Limit"), "1000")

    def test_rate_limit_429_retry_after(self):
        F.config({"textus_rate_limit": 3})
        try:
            got = [tx("GET", "/accounts") for _ in range(4)]
            self.assertEqual([r.status for r in got], [200, 200, 200, 429])
            self.assertEqual(got[2].h("X-RateLimit-Remaining"), "0")
            self.assertGreaterEqual(int(got[3].h("Retry-After")), 1)
            # per token: another token is unaffected
            self.assertEqual(tx("GET", "/accounts", token=BOB).status, 200)
        finally:
            F.config({"textus_rate_limit": 1000})


class TextUsAccounts(Base):
    def test_accounts_members_of_user_only(self):
        # docs/accounts/index: with no query, the accounts the user is *directly* a member of
        r = tx("GET", "/accounts")
        self.assertEqual(r.json["@type"], "AccountCollection")
        self.assertEqual([a["slug"] for a in r.json["members"]], ["acme", "acme-east"])
        self.assertEqual(r.json["members"][0]["id"], "/accounts/acme")
        self.assertEqual(r.json["members"][0]["effectiveRole"], "admin")
        r = tx("GET", "/accounts", token=BOB)
        self.assertEqual([a["slug"] for a in r.json["members"]], ["acme-east"])

    def test_account_tree(self):
        # a membership at the primary reaches its descendants (docs/accounts/descendants)
        r = tx("GET", "/accounts/acme/accounts")
        self.assertEqual(r.status, 200)
        self.assertEqual([a["slug"] for a in r.json["members"]],
                         ["acme", "acme-east", "acme-west", "acme-west-denver"])
        west = r.json["members"][2]
        self.assertEqual((west["effectiveRole"], west["parent"]), ("admin", "/accounts/acme"))
        self.assertEqual([a["slug"] for a in tx("GET", "/accounts/acme-west/accounts")
                          .json["members"]], ["acme-west", "acme-west-denver"])
        self.assertEqual(tx("GET", "/accounts/acme/accounts", token=BOB).status, 404)
        self.assertEqual(tx("GET", "/accounts/other-org/accounts").status, 404)
        # Inference: ?descendants=true adds the memberships' descendants to /accounts
        r = tx("GET", "/accounts?descendants=true")
        self.assertEqual([a["slug"] for a in r.json["members"]],
                         ["acme", "acme-east", "acme-west", "acme-west-denver"])
        # account-scoped routes accept a reachable descendant, refuse an ancestor or a stranger
        r = tx("POST", "/acme-west-denver/messages",
               body={"to": "+13035550161", "body": "from a grandchild account"})
        self.assertEqual(r.status, 201)
        self.assertEqual(tx("GET", r.json["conversation"]).status, 200)
        self.assertEqual(tx("GET", r.json["id"], token=BOB).status, 404)
        self.assertEqual(tx("GET", "/acme-west/opt_outs/3035550999").status, 404)   # no opt-out
        self.assertEqual(tx("POST", "/acme/messages", token=BOB,
                            body={"to": "+13035550161", "body": "x"}).status, 404)
        self.assertEqual(tx("POST", "/other-org/messages",
                            body={"to": "+13035550161", "body": "x"}).status, 404)

    def test_pagination_view_and_hydra_key(self):
        F.config({"textus_page_size": 1})
        try:
            r = tx("GET", "/accounts")
            self.assertEqual(len(r.json["members"]), 1)
            self.assertEqual(r.json["totalItems"], 2)
            view = r.json["view"]
            self.assertIsNone(view["previous"])
            self.assertTrue(view["first"].startswith("/accounts"))
            r2 = tx("GET", view["next"])
            self.assertEqual(r2.json["members"][0]["slug"], "acme-east")
            self.assertIsNone(r2.json["view"]["next"])
            self.assertIsNotNone(r2.json["view"]["previous"])
            F.config({"textus_collection_key": "hydra:member"})
            r3 = tx("GET", "/accounts")
            self.assertIn("hydra:member", r3.json)
            self.assertNotIn("members", r3.json)
        finally:
            F.config({"textus_page_size": 25, "textus_collection_key": "members"})


class TextUsUsersAndSavedReplies(Base):
    def test_users_admins_only(self):
        r = tx("GET", "/users?q=alice%40acme.example")
        self.assertEqual(r.status, 200)
        self.assertEqual([u["id"] for u in r.json["members"]], ["/users/1"])
        self.assertEqual(r.json["members"][0]["email"], "alice@acme.example")
        self.assertEqual(tx("GET", "/users", token=BOB).status, 403)   # not an admin
        self.assertEqual(tx("GET", "/users/2", token=BOB).json["name"], "Bob Other")
        self.assertEqual(tx("GET", "/users/1", token=BOB).status, 404)

    def test_saved_replies_filters_and_search(self):
        r = tx("GET", "/users/1/saved_replies?filter=all")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["@type"], "SavedReplyCollection")
        titles = [m["title"] for m in r.json["members"]]
        self.assertIn("Intro", titles)
        self.assertIn("Shared follow-up", titles)                   # shared on acme-east
        self.assertNotIn("Private note", titles)                    # Bob's, not shared
        mine = tx("GET", "/users/1/saved_replies?filter=mine").json["members"]
        self.assertNotIn("Shared follow-up", [m["title"] for m in mine])
        for param in ("q", "query"):
            hits = tx("GET", "/users/1/saved_replies?filter=all&%s=FOLLOW" % param).json["members"]
            self.assertEqual([m["title"] for m in hits], ["Shared follow-up"], param)
        m = r.json["members"][0]
        self.assertEqual(set(m) >= {"id", "title", "content", "shared", "user"}, True)
        self.assertTrue(m["id"].startswith("/saved_replies/"))
        self.assertEqual(tx("GET", "/users/2/saved_replies").status, 404)   # another user's
        self.assertEqual(tx("GET", "/users/1/saved_replies?filter=others").status, 422)


class TextUsMessages(Base):
    def send(self, to="+13035550123", body="Hi from the test", slug="acme", token=ALICE):
        return tx("POST", "/%s/messages" % slug, token=token, body={"to": to, "body": body})

    def test_send_201_message(self):
        r = self.send()
        self.assertEqual(r.status, 201)
        m = r.json
        self.assertEqual(m["@type"], "Message")
        self.assertTrue(m["id"].startswith("/messages/"))
        self.assertEqual((m["deliveryState"], m["direction"]), ("queued", "out"))
        self.assertTrue(m["conversation"].startswith("/conversations/"))
        self.assertEqual(m["sender"], "/users/1")
        self.assertIn("@context", m)

    def test_to_must_be_e164_nanp(self):
        for bad in ("3035550123", "+447700900123", "+1303555012", "+10035550123", 5):
            r = self.send(to=bad)
            self.assertEqual(r.status, 422, bad)
            self.assertIn("hydra:description", r.json)

    def test_opted_out_recipient_422(self):
        r = self.send(to="+13035550177")
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json["code"], "opted_out")
        self.assertIn("opted out", r.json["hydra:description"])

    def test_unknown_or_foreign_slug_404(self):
        self.assertEqual(self.send(slug="nope").status, 404)
        self.assertEqual(self.send(slug="other-org").status, 404)      # exists, not a member
        self.assertEqual(self.send(slug="acme", token=BOB).status, 404)

    def test_array_to_202_no_body(self):
        r = tx("POST", "/acme/messages", body={"to": ["+13035550140", "+13035550141"],
                                               "body": "bulk"})
        self.assertEqual(r.status, 202)
        self.assertEqual(r.raw, b"")

    def schedule(self, body=None, slug="acme", token=ALICE):
        doc = {"to": "+13035550131", "body": "Scheduled hello", "scheduled_at": "2058-10-25T18:09:13Z"}
        doc.update(body or {})
        return tx("POST", "/%s/messages/schedule" % slug, token=token, body=doc)

    def test_schedule_201_scheduled_message(self):
        r = self.schedule({"from": "+13035550100"})
        self.assertEqual(r.status, 201, r.json)
        m = r.json
        self.assertEqual((m["@type"], m["deliveryState"], m["direction"]),
                         ("Message", "scheduled", "out"))
        self.assertIn("scheduled", m["flags"])
        self.assertEqual(m["scheduledAt"], "2058-10-25T18:09:13Z")
        conv = tx("GET", "/acme/conversations/+13035550131").json
        self.assertEqual(conv["nextScheduledMessage"]["id"], m["id"])
        # delivering pending messages leaves a scheduled one alone
        F.advance()
        self.assertEqual(tx("GET", m["id"]).json["deliveryState"], "scheduled")

    def test_schedule_refusals(self):
        for doc in ({"scheduled_at": "2020-01-01T00:00:00Z"},        # the past
                    {"scheduled_at": "2058-10-25T18:09:13+02:00"},   # not UTC
                    {"scheduled_at": "2058-10-25 18:09"},
                    {"scheduled_at": None},
                    {"to": ["+13035550131", "+13035550132"]},
                    {"to": "+13035550177"},                          # opted out
                    {"from": "+13035550199"}):                        # another account's number
            r = self.schedule(doc)
            self.assertEqual(r.status, 422, doc)
        self.assertEqual(self.schedule(slug="other-org").status, 404)
        self.assertEqual(tx("GET", "/acme/messages/schedule").status, 405)

    def test_segment_limit(self):
        self.assertEqual(self.send(body="x" * 459).status, 201)      # 3 GSM-7 segments
        self.assertEqual(self.send(body="x" * 460).status, 422)
        self.assertEqual(self.send(body="\u00e9\u4e2d" * 101).status, 422)  # UCS-2 > 201

    def test_get_message_and_advance(self):
        mid = self.send().json["id"]
        r = tx("GET", mid)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["deliveryState"], "queued")
        self.assertIn("friendlyStateDescription", r.json)
        F.advance(mid, "failed")
        self.assertEqual(tx("GET", mid).json["deliveryState"], "failed")
        mid2 = self.send().json["id"]
        F.advance()
        r = tx("GET", mid2)
        self.assertEqual(r.json["deliveryState"], "delivered")
        self.assertEqual(r.json["friendlyStateDescription"], "Message Delivered")
        self.assertEqual(tx("GET", mid2, token=BOB).status, 404)       # not BOB's account
        self.assertEqual(tx("GET", "/messages/doesnotexist").status, 404)

    def test_advance_on_get_knob(self):
        F.config({"textus_advance_on_get": ["queued", "dispatched", "delivered"]})
        try:
            mid = self.send().json["id"]
            states = [tx("GET", mid).json["deliveryState"] for _ in range(4)]
            self.assertEqual(states, ["queued", "dispatched", "delivered", "delivered"])
        finally:
            F.config({"textus_advance_on_get": []})


class TextUsOptOutsConversationsContacts(Base):
    def test_opt_out_get_forms_and_404(self):
        for p in ("3035550177", "+13035550177", "%2B13035550177"):
            r = tx("GET", "/acme/opt_outs/" + p)
            self.assertEqual(r.status, 200, p)
            self.assertEqual(r.json["@type"], "OptOut")
            self.assertEqual(r.json["id"], "/acme/opt_outs/+13035550177")
        self.assertEqual(tx("GET", "/acme/opt_outs/3035550999").status, 404)

    def test_opt_out_put_201_idempotent_then_send_refused(self):
        r1 = tx("PUT", "/acme/opt_outs/3035550188")
        r2 = tx("PUT", "/acme/opt_outs/+13035550188")
        self.assertEqual((r1.status, r2.status), (201, 201))
        self.assertEqual(r1.json["createdAt"], r2.json["createdAt"])
        self.assertEqual(tx("GET", "/acme-east/opt_outs/3035550188").status, 200)  # org-wide
        r = tx("POST", "/acme/messages", body={"to": "+13035550188", "body": "hi"})
        self.assertEqual(r.status, 422)

    def test_conversation_lookup(self):
        tx("POST", "/acme/messages", body={"to": "+13035550130", "body": "newest body"})
        r = tx("GET", "/acme/conversations/+13035550130")
        self.assertEqual(r.status, 200)
        c = r.json
        self.assertEqual((c["blocked"], c["unsubscribed"], c["currentState"]),
                         (False, False, "open"))
        lpi = c["latestPreviewableItem"]
        self.assertEqual((lpi["body"], lpi["direction"], lpi["deliveryState"]),
                         ("newest body", "out", "queued"))
        self.assertIn("createdAt", lpi)
        self.assertIn("displayTimestamp", lpi)
        self.assertEqual(tx("GET", "/acme/conversations/+13035550999").status, 404)
        b = tx("GET", "/acme/conversations/+13035550166").json          # seeded blocked
        self.assertEqual((b["blocked"], b["currentState"]), (True, "blocked"))

    def test_block_conversation(self):
        cid = tx("POST", "/acme/messages",
                 body={"to": "+13035550131", "body": "x"}).json["conversation"]
        r = tx("PUT", cid + "/block")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["currentState"], "blocked")
        self.assertTrue(tx("GET", "/acme/conversations/+13035550131").json["blocked"])
        self.assertFalse(tx("DELETE", cid + "/block").json["blocked"])

    def test_inbound_from_blocked_number_not_received(self):
        # https://help.next.textus.com/en/articles/2817045-how-to-block-a-number: blocking
        # stops inbound messages from the number
        to = "+13035550164"
        first = tx("POST", "/acme/messages", body={"to": to, "body": "before the block"}).json
        tx("PUT", first["conversation"] + "/block")
        self.assertEqual(F.inbound("acme", to, "you cannot hear me"),
                         {"message_id": None, "dropped": "blocked"})
        tl = tx("GET", first["conversation"] + "/timeline").json
        self.assertNotIn("you cannot hear me", [m.get("body") for m in tl["members"]])
        tx("DELETE", first["conversation"] + "/block")
        self.assertTrue(F.inbound("acme", to, "heard again")["message_id"].startswith("/messages/"))

    def test_unsubscribed_flag_after_inbound_stop(self):
        tx("POST", "/acme/messages", body={"to": "+13035550132", "body": "x"})
        F.inbound("acme", "+13035550132", "STOP")
        c = tx("GET", "/acme/conversations/+13035550132").json
        self.assertTrue(c["unsubscribed"])
        self.assertEqual(c["latestPreviewableItem"]["direction"], "in")

    def test_contacts_create_search_patch_get(self):
        r = tx("POST", "/acme/contacts",
               body={"name": "Pat Lee", "phones": [{"number": "1-720-333-1234", "type": "Mobile"}],
                     "data": {"greenhouse_id": "1002"}})
        self.assertEqual(r.status, 200)                      # documented 200, not 201
        c = r.json
        self.assertEqual(c["@type"], "Contact")
        self.assertTrue(c["id"].startswith("/contacts/"))
        self.assertEqual(c["phones"]["members"][0]["phoneNumber"], "+17203331234")
        self.assertEqual(tx("POST", "/acme/contacts", body={"name": "X", "phones": [
            {"number": "12345", "type": "Mobile"}]}).status, 422)
        s = tx("GET", "/acme/contact_phones?q=7203331234").json
        self.assertEqual(len(s["members"]), 1)
        self.assertEqual(s["members"][0]["contact"]["name"], "Pat Lee")
        self.assertEqual(tx("GET", "/acme/contact_phones?q=9999999999").json["members"], [])
        # docs/contacts/update documents PUT only: PATCH is refused with Allow
        p = tx("PATCH", c["id"], body={"data": {"stage": "Phone Screen"}})
        self.assertEqual(p.status, 405)
        self.assertEqual(p.h("Allow"), "GET, PUT")
        # PUT replaces what it is sent: name, the whole phone list, data
        p = tx("PUT", c["id"], body={"name": "Pat Lee-Smith",
                                     "phones": [{"number": "+13035550170", "type": "Work"}],
                                     "data": {"stage": "Phone Screen"}})
        self.assertEqual(p.status, 200)
        self.assertEqual(p.json["name"], "Pat Lee-Smith")
        self.assertEqual([(x["phoneNumber"], x["type"]) for x in p.json["phones"]["members"]],
                         [("+13035550170", "Work")])
        self.assertEqual(p.json["data"], {"stage": "Phone Screen"})
        self.assertEqual(tx("GET", c["id"]).json["data"], {"stage": "Phone Screen"})
        self.assertEqual(tx("PUT", c["id"], body={"name": "No phones"}).status, 422)
        self.assertEqual(tx("GET", c["id"], token=BOB).status, 404)

    def test_associated_contacts_link(self):
        # docs/accounts/conversation + conversation_filters/conversations: associatedContacts
        # is a link to /conversations/:id/associated_contacts
        c = tx("GET", "/acme/conversations/+13035550123").json
        link = c["associatedContacts"]
        self.assertEqual(link, c["id"] + "/associated_contacts")
        r = tx("GET", link)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["@type"], "ContactCollection")
        self.assertEqual([x["name"] for x in r.json["members"]], ["Jane Candidate"])
        self.assertEqual(r.json["members"][0]["phones"]["members"][0]["phoneNumber"],
                         "+13035550123")
        self.assertEqual(tx("GET", link, token=BOB).status, 404)

    def test_timeline_newest_first_paginated(self):
        # docs/conversations/timeline: Messages and Events, descending, hydra view.next
        to = "+13035550163"
        first = tx("POST", "/acme/messages", body={"to": to, "body": "first out"}).json
        F.inbound("acme", to, "a reply")
        F.outbound("acme", to, "a colleague's text", "/users/2")
        tx("PUT", first["conversation"] + "/close")
        F.config({"textus_timeline_page_size": 2})
        try:
            r = tx("GET", first["conversation"] + "/timeline")
            self.assertEqual(r.status, 200)
            self.assertEqual((r.json["@type"], r.json["totalItems"]), ("Timeline", 4))
            m = r.json["members"]
            self.assertEqual(m[0]["@type"], "ConversationEvent")
            self.assertEqual((m[1]["direction"], m[1]["body"], m[1]["sender"]),
                             ("out", "a colleague's text", "/users/2"))
            self.assertEqual(r.json["latestPosition"], m[0]["timelinePosition"])
            r2 = tx("GET", r.json["view"]["next"])
            m2 = r2.json["members"]
            self.assertEqual([(x["direction"], x["body"]) for x in m2],
                             [("in", "a reply"), ("out", "first out")])
            self.assertIsNone(r2.json["view"]["next"])
            self.assertGreaterEqual(m2[0]["timelinePosition"], m2[1]["timelinePosition"])
        finally:
            F.config({"textus_timeline_page_size": 25})
        self.assertEqual(tx("GET", first["conversation"] + "/timeline", token=BOB).status, 404)


# --------------------------------------------------------------------------- Harvest v1

class HarvestV1(Base):
    def test_basic_auth_required(self):
        for key, pw in ((None, None), ("wrong-key-123456", ""), (HKEY, "notblank")):
            extra = {"Authorization": basic(key, pw)} if key else {}
            r = request("harvest", "GET", "/v1/users", extra)
            self.assertEqual(r.status, 401)
            self.assertIn("message", r.json)

    def test_missing_permission_401_as_documented(self):
        # harvest.html#errors: 401 "a valid Harvest API key with the correct permissions";
        # 403 is "You don't have access to that record"
        r = hv1("GET", "/v1/candidates?candidate_ids=1001", key=HKEY_RO)
        self.assertEqual(r.status, 401)
        self.assertIn("candidates_list", r.json["message"])
        self.assertEqual(hv1("GET", "/v1/users", key=HKEY_RO).status, 200)
        F.config({"v1_missing_permission_status": 403})
        try:
            r = hv1("GET", "/v1/candidates?candidate_ids=1001", key=HKEY_RO)
            self.assertEqual(r.status, 403)
        finally:
            F.config({"v1_missing_permission_status": 401})

    def test_users_by_primary_or_secondary_email(self):
        for e in ("alice@acme.example", "alice.alt@acme.example", "ALICE@acme.example"):
            r = hv1("GET", "/v1/users?email=" + urllib.parse.quote(e))
            self.assertEqual(r.status, 200)
            self.assertEqual([u["id"] for u in r.json], [101])
        self.assertEqual(hv1("GET", "/v1/users?email=nobody%40x.example").json, [])
        r = hv1("GET", "/v1/users/103")
        self.assertEqual((r.status, r.json["disabled"]), (200, True))
        self.assertEqual(hv1("GET", "/v1/users/999").status, 404)

    def test_users_page_pagination_link(self):
        r = hv1("GET", "/v1/users?per_page=4")
        self.assertEqual(len(r.json), 4)
        link = r.h("Link")
        self.assertIn('rel="next"', link)
        self.assertIn('rel="last"', link)
        self.assertNotIn('rel="prev"', link)
        self.assertIn("page=3", link.split('rel="last"')[0].split(",")[-1])   # 10 users / 4
        r2 = hv1("GET", "/v1/users?per_page=4&page=2")
        self.assertIn('rel="prev"', r2.h("Link"))
        self.assertNotIn('rel="last"', hv1("GET", "/v1/users?per_page=4&skip_count=true").h("Link"))
        self.assertIsNone(hv1("GET", "/v1/users").h("Link"))                 # one page
        for bad in ("0", "501", "x"):
            r = hv1("GET", "/v1/users?per_page=" + bad)
            self.assertEqual(r.status, 422, bad)
            self.assertEqual(r.json["errors"][0]["field"], "per_page")

    def test_candidates_by_ids(self):
        r = hv1("GET", "/v1/candidates?candidate_ids=1001,1002")
        self.assertEqual([c["id"] for c in r.json], [1001, 1002])
        self.assertEqual(r.json[0]["phone_numbers"][0], {"value": "(303) 555-0123",
                                                         "type": "mobile"})
        self.assertEqual(hv1("GET", "/v1/candidates?candidate_ids=9").json, [])
        ids = ",".join(str(i) for i in range(1, 52))
        self.assertEqual(hv1("GET", "/v1/candidates?candidate_ids=" + ids).status, 422)

    def test_add_note_rules(self):
        path = "/v1/candidates/1001/activity_feed/notes"
        good = {"user_id": "101", "body": "Texted via TextUs", "visibility": "private"}
        self.assertEqual(hv1("POST", path, body=good).status, 403)              # no On-Behalf-Of
        self.assertEqual(hv1("POST", path, body=good, obo="abc").status, 403)
        r = hv1("POST", path, body=good, obo=103)                               # disabled user
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json["errors"][0]["field"], "On-Behalf-Of")
        self.assertEqual(hv1("POST", path, body=good, obo=999).status, 422)     # no such user
        self.assertEqual(hv1("POST", "/v1/candidates/9/activity_feed/notes", body=good,
                             obo=101).status, 404)
        r = hv1("POST", path, body=dict(good, visibility="publicly_visible"), obo=101)
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json["message"], "Validation error")
        self.assertEqual(r.json["errors"], [{"message": "Must be one of: admin_only, private, "
                                                        "public", "field": "visibility"}])
        self.assertEqual(hv1("POST", path, body=dict(good, body="  "), obo=101).status, 422)
        self.assertEqual(hv1("POST", path, body=dict(good, user_id="x1"), obo=101).status, 422)
        self.assertEqual(hv1("POST", path, body=good, obo=101, key=HKEY_RO).status, 401)
        r = hv1("POST", path, body=good, obo=101)
        self.assertEqual(r.status, 201)
        self.assertEqual((r.json["visiblity"], r.json["visibility"], r.json["user"]["id"]),
                         ("private", "private", 101))
        r = hv1("POST", path, body=dict(good, user_id=101, visibility="public"), obo=101)
        self.assertEqual(r.status, 201)                                          # int user_id

    def test_activity_feed(self):
        hv1("POST", "/v1/candidates/1001/activity_feed/notes", obo=101,
            body={"user_id": 101, "body": "feed check", "visibility": "admin_only"})
        r = hv1("GET", "/v1/candidates/1001/activity_feed")
        self.assertEqual(sorted(r.json), ["activities", "emails", "notes"])
        self.assertIn("feed check", [n["body"] for n in r.json["notes"]])
        self.assertEqual(r.json["activities"][0]["subject"], "Candidate Stage Change")
        self.assertIsNone(r.h("Link"))
        self.assertEqual(hv1("GET", "/v1/candidates/9/activity_feed").status, 404)

    def test_get_with_body_403(self):
        r = hv1("GET", "/v1/users", extra={"Content-Type": "application/json"}, body={"a": 1})
        self.assertEqual(r.status, 403)

    def test_rate_limit_10s_window(self):
        F.config({"harvest_v1_rate_limit": 50})  # the docs' example (the default is higher)
        self.assertEqual(hv1("GET", "/v1/users").h("X-RateLimit-Limit"), "50")
        F.reset_rate_limits()
        F.config({"harvest_v1_rate_limit": 2})
        try:
            got = [hv1("GET", "/v1/users") for _ in range(3)]
            self.assertEqual([r.status for r in got], [200, 200, 429])
            self.assertEqual([r.h("X-RateLimit-Remaining") for r in got], ["1", "0", "0"])
            self.assertTrue(1 <= int(got[2].h("Retry-After")) <= 10)
            self.assertGreater(int(got[2].h("X-RateLimit-Reset")), time.time() - 1)
        finally:
            F.config({"harvest_v1_rate_limit": 1000})

    def test_v1_retired_knob(self):
        F.config({"v1_retired": True})
        try:
            r = hv1("GET", "/v1/users")
            self.assertEqual(r.status, 404)
            self.assertIn("v3", r.json["message"])
            F.config({"v1_retired_status": 410})
            self.assertEqual(hv1("GET", "/v1/users").status, 410)
        finally:
            F.config({"v1_retired": False, "v1_retired_status": 404})


# --------------------------------------------------------------------------- auth + v3

class AuthAndV3(Base):
    def test_token_endpoint(self):
        before = F.state()["harvest"]["token_requests"]
        self.assertEqual(get_token(secret="wrong-secret-xyz").status, 401)
        self.assertEqual(get_token(client="unknown-client").status, 401)
        r = request("auth", "POST", "/token", {"Authorization": basic(CLIENT, SECRET),
                                               "Content-Type": "application/x-www-form-urlencoded"},
                    "grant_type=password")
        self.assertEqual((r.status, r.json["error"]), (400, "unsupported_grant_type"))
        self.assertEqual(get_token(sub=999).status, 400)
        r = get_token(sub=102)
        self.assertEqual(r.status, 200)
        self.assertEqual((r.json["token_type"], r.json["expires_in"]), ("Bearer", 3600))
        self.assertEqual(F.state()["harvest"]["token_requests"], before + 5)

    def test_token_expiry_knob_styles(self):
        F.config({"auth_token_expires_in": 5, "auth_token_response_style": "expires_at"})
        try:
            r = get_token()
            self.assertIn("expires_at", r.json)
            self.assertNotIn("expires_in", r.json)
        finally:
            F.config({"auth_token_expires_in": 3600, "auth_token_response_style": "expires_in"})

    def test_v3_unknown_path_404_before_auth_then_401(self):
        self.assertEqual(hv3("GET", "/v3/nonsense", None).status, 404)
        r = hv3("GET", "/v3/users", None)
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json["message"], "Unauthorized")
        self.assertTrue(r.json["errors"])
        self.assertEqual(hv3("GET", "/v3/users", "garbage.token.x").status, 401)

    def test_v3_expired_token_401(self):
        tok = get_token(sub=102).json["access_token"]
        self.assertEqual(hv3("GET", "/v3/users", tok).status, 200)
        F.expire_tokens()
        r = hv3("GET", "/v3/users", tok)
        self.assertEqual(r.status, 401)
        self.assertIn("expired", r.json["errors"][0])

    def test_v3_scopes_and_site_admin(self):
        notes_only = get_token(CLIENT_NOTES, SECRET_NOTES).json["access_token"]
        r = hv3("GET", "/v3/users", notes_only)
        self.assertEqual(r.status, 403)
        self.assertIn("harvest:users:list", r.json["errors"][0])
        self.assertEqual(hv3("POST", "/v3/notes", notes_only, {
            "candidate_id": 1001, "body": "svc", "note_type": "NOTE", "visibility": "public",
            "user_id": 101}).status, 201)
        non_admin = get_token(sub=101).json["access_token"]
        self.assertEqual(hv3("GET", "/v3/users", non_admin).status, 403)
        admin = get_token(sub=102).json["access_token"]
        self.assertEqual(hv3("GET", "/v3/users", admin).status, 200)
        F.config({"v3_require_site_admin": False})
        try:
            self.assertEqual(hv3("GET", "/v3/users", non_admin).status, 200)
        finally:
            F.config({"v3_require_site_admin": True})

    def test_v3_users_candidates(self):
        tok = get_token(sub=102).json["access_token"]
        r = hv3("GET", "/v3/users?primary_email=alice%40acme.example", tok)
        self.assertEqual([u["id"] for u in r.json], [101])
        self.assertEqual(r.json[0]["primary_email"], "alice@acme.example")
        self.assertEqual(hv3("GET", "/v3/users?primary_email=alice.alt%40acme.example",
                             tok).json, [])                   # secondary does not match
        r = hv3("GET", "/v3/candidates?ids=1001", tok)
        self.assertIsInstance(r.json, list)
        self.assertEqual(r.json[0]["phone_numbers"][0]["type"], "mobile")
        ids = ",".join(str(i) for i in range(1, 52))
        self.assertEqual(hv3("GET", "/v3/candidates?ids=" + ids, tok).status, 422)

    def test_v3_cursor_pagination(self):
        tok = get_token(sub=102).json["access_token"]
        seen, path, pages = [], "/v3/users?per_page=4", 0
        while path:
            r = hv3("GET", path, tok)
            self.assertEqual(r.status, 200)
            seen += [u["id"] for u in r.json]
            pages += 1
            link = r.h("Link")
            if link:
                self.assertNotIn("prev", link)
                self.assertNotIn("last", link)
                url = link.split(";")[0].strip("<>")
                path = url[url.index("/v3/"):]
                self.assertTrue(path.startswith("/v3/users?cursor="))
                nxt = path
            else:
                path = None
        self.assertEqual(pages, 3)
        self.assertEqual(len(seen), len(set(seen)))
        r = hv3("GET", nxt + "&per_page=4", tok)                 # cursor + anything -> 422
        self.assertEqual(r.status, 422)
        self.assertIn("cursor", json.dumps(r.json["errors"]))
        self.assertEqual(hv3("GET", "/v3/users?cursor=bogus", tok).status, 422)
        self.assertEqual(hv3("GET", "/v3/users?per_page=501", tok).status, 422)

    def test_v3_notes(self):
        tok = get_token(sub=102).json["access_token"]
        good = {"candidate_id": 1002, "body": "v3 note", "note_type": "NOTE",
                "visibility": "private", "user_id": 101}
        r = hv3("POST", "/v3/notes", tok, good)
        self.assertEqual(r.status, 201)
        self.assertEqual((r.json["visibility"], r.json["user_id"]), ("privately_visible", 101))
        for bad in (dict(good, visibility="publicly_visible"), dict(good, visibility="secret"),
                    dict(good, note_type="SMS"), dict(good, candidate_id=9),
                    dict(good, body=""), dict(good, user_id=103)):
            self.assertEqual(hv3("POST", "/v3/notes", tok, bad).status, 422, bad)
        r = hv3("POST", "/v3/notes", tok, {k: v for k, v in good.items() if k != "user_id"})
        self.assertEqual(r.json["user_id"], 102)                 # defaults to the token's sub
        subs = [n["sub"] for n in F.state()["harvest"]["notes"] if n["body"] == "v3 note"]
        self.assertEqual(subs, [102, 102])                       # which subject wrote each note
        svc = get_token().json["access_token"]                   # no sub: the service user
        self.assertEqual(hv3("POST", "/v3/notes", svc, dict(good, body="v3 svc",
                                                            candidate_id=1001)).status, 201)
        self.assertEqual([n["sub"] for n in F.state()["harvest"]["notes"]
                          if n["body"] == "v3 svc"], [None])
        r = hv3("GET", "/v3/notes?candidate_ids=1002", tok)
        self.assertEqual(sorted(n["body"] for n in r.json), ["v3 note", "v3 note"])
        # the same tenant: the v1 feed shows v3-created notes
        self.assertIn("v3 note", [n["body"] for n in
                                  hv1("GET", "/v1/candidates/1002/activity_feed").json["notes"]])

    def test_v3_rate_limit(self):
        tok = get_token(sub=102).json["access_token"]
        F.config({"harvest_v3_rate_limit": 2})
        try:
            got = [hv3("GET", "/v3/users", tok) for _ in range(2)] + \
                  [hv3("GET", "/v3/nonsense", tok)]
            self.assertEqual([r.status for r in got], [200, 200, 429])
            self.assertTrue(1 <= int(got[2].h("Retry-After")) <= 30)
            for r in got:
                for h in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
                    self.assertIsNotNone(r.h(h))
        finally:
            F.config({"harvest_v3_rate_limit": 100})


# --------------------------------------------------------------------------- faults

NOTE_RE = r"^/v1/candidates/\d+/activity_feed/notes$"


class Faults(Base):
    def note(self, body="fault test"):
        return hv1("POST", "/v1/candidates/1001/activity_feed/notes", obo=101,
                   body={"user_id": 101, "body": body, "visibility": "private"})

    def notes_with(self, body):
        return [n for n in F.state()["harvest"]["notes"] if n["body"] == body]

    def test_status_times(self):
        F.fault({"server": "harvest", "method": "POST", "path_re": NOTE_RE, "times": 2,
                 "action": {"status": 503, "body": {"message": "down"}}})
        got = [self.note("st").status for _ in range(3)]
        self.assertEqual(got, [503, 503, 201])
        self.assertEqual(len(self.notes_with("st")), 1)
        recs = F.requests("harvest")[-3:]
        self.assertEqual([("fault" in r) for r in recs], [True, True, False])

    def test_429_fault_headers(self):
        F.fault({"server": "textus", "path_re": "^/accounts$",
                 "action": {"status": 429, "retry_after": 2}})
        r = tx("GET", "/accounts")
        self.assertEqual((r.status, r.h("Retry-After"), r.h("X-RateLimit-Remaining")),
                         (429, "2", "0"))
        self.assertIsNotNone(r.h("X-RateLimit-Reset"))
        self.assertEqual(tx("GET", "/accounts").status, 200)       # times defaults to 1

    def test_delay(self):
        F.fault({"server": "textus", "path_re": "^/accounts$", "action": {"delay_ms": 300}})
        t0 = time.time()
        self.assertEqual(tx("GET", "/accounts").status, 200)
        self.assertGreaterEqual(time.time() - t0, 0.3)

    def test_drop_before_not_performed(self):
        F.fault({"server": "textus", "method": "POST", "path_re": "^/acme/messages$",
                 "action": "drop_before"})
        n = len(F.state()["textus"]["messages"])
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            tx("POST", "/acme/messages", body={"to": "+13035550150", "body": "dropped"})
        self.assertEqual(len(F.state()["textus"]["messages"]), n)
        rec = self.last_record("textus")
        self.assertEqual((rec["dropped"], rec["status"]), ("before", None))

    def test_drop_after_performed(self):
        F.fault({"server": "harvest", "method": "POST", "path_re": NOTE_RE,
                 "action": "drop_after"})
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.note("ambiguous")
        self.assertEqual(len(self.notes_with("ambiguous")), 1)   # the op happened
        rec = self.last_record("harvest")
        self.assertEqual((rec["dropped"], rec["status"]), ("after", 201))
        self.assertEqual(rec["fault"]["action"], "drop_after")

    def test_garbage(self):
        F.fault({"server": "harvest", "path_re": "^/v1/users$", "action": "garbage"})
        r = hv1("GET", "/v1/users")
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.json)
        self.assertTrue(r.raw)

    def test_truncate_performed_and_incomplete(self):
        F.fault({"server": "harvest", "method": "POST", "path_re": NOTE_RE, "action": "truncate"})
        with self.assertRaises(http.client.IncompleteRead):
            self.note("truncated")
        self.assertEqual(len(self.notes_with("truncated")), 1)
        self.assertEqual(self.last_record("harvest")["dropped"], "truncated")

    def test_skip_then_fire(self):
        F.fault({"server": "textus", "path_re": "^/accounts$", "skip": 2,
                 "action": {"status": 502}})
        self.assertEqual([tx("GET", "/accounts").status for _ in range(4)], [200, 200, 502, 200])

    def test_probability_storm_is_seeded(self):
        F.fault({"server": "textus", "path_re": "^/accounts$", "times": None,
                 "probability": 0.5, "action": {"status": 500}})
        got = [tx("GET", "/accounts").status for _ in range(30)]
        self.assertIn(500, got)
        self.assertIn(200, got)
        self.assertEqual(sum(1 for r in F.requests("textus")[-30:] if "fault" in r),
                         got.count(500))

    def test_bad_rule_rejected(self):
        with self.assertRaises(RuntimeError):
            F.fault({"action": "explode"})


# --------------------------------------------------------------------------- connections, recording

class ConnectionsAndRecording(Base):
    def test_keep_alive_one_connection(self):
        before = F.state()["connections"]["textus"]["api"]
        conn = http.client.HTTPConnection("127.0.0.1", F.ports["textus"], timeout=10)
        try:
            for _ in range(5):
                r = tx("GET", "/accounts", conn=conn)
                self.assertEqual(r.status, 200)
            tx("POST", "/acme/messages", body={"to": "+13035550160", "body": "ka"}, conn=conn)
        finally:
            conn.close()
        self.assertEqual(F.state()["connections"]["textus"]["api"], before + 1)
        recs = F.requests("textus")[-6:]
        self.assertEqual(len({r["conn"] for r in recs}), 1)

    def test_chunked_request_body(self):
        conn = http.client.HTTPConnection("127.0.0.1", F.ports["textus"], timeout=10)
        try:
            body = json.dumps({"to": "+13035550162", "body": "chunked"}).encode()
            conn.request("POST", "/acme/messages", body=iter([body[:10], body[10:]]),
                         headers={"Authorization": "Bearer " + ALICE, "Accept": VND,
                                  "Content-Type": VND}, encode_chunked=True)
            r = conn.getresponse()
            self.assertEqual(r.status, 201)
            self.assertEqual(json.loads(r.read())["body"], "chunked")
            self.assertEqual(r.getheader("Content-Length") is not None, True)
        finally:
            conn.close()
        self.assertEqual(self.last_record("textus")["headers"]["transfer-encoding"], "chunked")

    def test_record_shape_and_auth_description(self):
        tx("GET", "/accounts?page=1")
        rec = self.last_record("textus")
        for k in ("server", "method", "path", "query", "headers", "body", "status", "conn",
                  "time"):
            self.assertIn(k, rec)
        self.assertEqual(rec["query"], {"page": "1"})
        self.assertEqual(rec["headers"]["authorization"], "Bearer token#1 (valid)")
        hv1("GET", "/v1/users")
        self.assertEqual(self.last_record("harvest")["headers"]["authorization"],
                         "Basic key:alice (valid)")
        get_token()
        rec = self.last_record("auth")
        self.assertEqual(rec["headers"]["authorization"], "Basic client:textus-host (valid)")
        self.assertEqual(rec["body"], {"grant_type": "client_credentials"})

    def test_no_secret_in_records(self):
        # also a client_secret sent in a form body must be redacted
        request("auth", "POST", "/token", {"Content-Type": "application/x-www-form-urlencoded"},
                "grant_type=client_credentials&client_id=%s&client_secret=%s" % (CLIENT, SECRET))
        get_token(sub=102)
        # a careless client leaking secrets in unexpected places: the last-line scrub catches it
        tx("POST", "/acme/messages", body={"to": "+13035550161", "body": "key " + HKEY},
           extra={"X-Debug": "tok=" + ALICE})
        hv1("GET", "/v1/users?email=" + SEEN_TOKENS[-1])
        with open(os.path.join(F.state_dir, "requests.jsonl"), encoding="utf-8") as fh:
            text = fh.read()
        text += json.dumps(F.requests()) + json.dumps(F.state())
        for s in [ALICE, BOB, HKEY, HKEY_RO, SECRET, SECRET_NOTES] + SEEN_TOKENS:
            self.assertNotIn(s, text)
        for s in (ALICE, HKEY, SECRET):
            self.assertNotIn(base64.b64encode(s.encode()).decode()[:12], text)


# --------------------------------------------------------------------------- process + TLS

class ProcessAndTLS(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.certs = os.path.join(TMP, "certs")
        subprocess.run(["sh", os.path.join(HERE, "mkcerts.sh"), cls.certs], check=True,
                       stdout=subprocess.DEVNULL)
        cls.tls = fakectl.start(load_seed(), os.path.join(TMP, "tls"),
                                tls_cert=os.path.join(cls.certs, "server.pem"),
                                tls_key=os.path.join(cls.certs, "server.key"),
                                extra_args=["--max-seconds", "60"])

    @classmethod
    def tearDownClass(cls):
        cls.tls.stop()

    def _get(self, ctx, host="127.0.0.1"):
        conn = http.client.HTTPSConnection(host, self.tls.ports["textus"], timeout=10,
                                           context=ctx)
        try:
            conn.request("GET", "/accounts", headers={"Authorization": "Bearer " + ALICE,
                                                      "Accept": VND})
            return conn.getresponse().status
        finally:
            conn.close()

    def test_https_ports_json(self):
        self.assertEqual(self.tls.ports["scheme"], "https")

    def test_untrusted_cert_refused_ca_accepted(self):
        with self.assertRaises(ssl.SSLCertVerificationError):
            self._get(ssl.create_default_context())              # system store only
        ctx = ssl.create_default_context(cafile=os.path.join(self.certs, "ca.pem"))
        self.assertEqual(self._get(ctx), 200)
        self.assertEqual(self._get(ctx, host="localhost"), 200)  # SAN has both names
        self.assertGreaterEqual(self.tls.state()["connections"]["textus"]["tls_failures"], 1)

    def test_wrong_hostname_refused(self):
        ctx = ssl.create_default_context(cafile=os.path.join(self.certs, "ca.pem"))
        sock = socket.create_connection(("127.0.0.1", self.tls.ports["textus"]), timeout=10)
        with self.assertRaises(ssl.SSLCertVerificationError):
            ctx.wrap_socket(sock, server_hostname="wrong.example")
        sock.close()

    def test_sigterm_clean_exit_and_self_destruct(self):
        a = fakectl.start(load_seed(), os.path.join(TMP, "sig"))
        b = fakectl.start(load_seed(), os.path.join(TMP, "selfdestruct"),
                          extra_args=["--max-seconds", "1"])
        a.proc.send_signal(signal.SIGTERM)
        self.assertEqual(a.proc.wait(5), 0)
        self.assertFalse(os.path.exists(os.path.join(a.state_dir, "ports.json")))
        self.assertTrue(os.path.exists(os.path.join(a.state_dir, "state.json")))
        b.proc.wait(5)                                           # exits by itself
        self.assertFalse(os.path.exists(os.path.join(b.state_dir, "ports.json")))


# --------------------------------------------------------------------------- runner

def main():
    t0 = time.time()
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    print("elapsed %.1fs" % (time.time() - t0))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
