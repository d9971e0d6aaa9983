"""Fake of the TextUs Next API (https://next.textus.com).

Every route cites the official page that documents it (https://apidocs.next.textus.com/...).
Where the pages are silent the fake makes the safe (strict) choice and marks it "Inference:";
the choices are listed in README.md.
"""

import random
import re
import urllib.parse

from fakecore import Response, auth_scheme, media_types, parse_bearer, utc_iso

DOCS = "https://apidocs.next.textus.com"
# https://apidocs.next.textus.com/overview/making_requests/: the media type of every call
VND = "application/vnd.textus+jsonld"
RESPONSE_CTYPE = VND + "; charset=utf-8"

# Inference (no page lists supported countries; every example is +1): NANP +1 NXX NXX XXXX
E164_NANP = re.compile(r"^\+1[2-9]\d{2}[2-9]\d{6}$")
# https://apidocs.next.textus.com/types/Message/: deliveryState values
DELIVERY_STATES = ("created", "received", "scheduled", "queued", "dispatched", "delivered",
                   "failed_transient", "unknown", "failed")
FRIENDLY = {
    "created": "Message Created", "received": "Message Received",
    "scheduled": "Message Scheduled", "queued": "Message Queued",
    "dispatched": "Message Sent to Carrier", "delivered": "Message Delivered",
    "failed_transient": "Message Failed (temporary)", "unknown": "Message Delivery Unknown",
    "failed": "Message Failed",
}
PENDING_STATES = ("created", "queued", "dispatched")
# https://apidocs.next.textus.com/docs/messages/retry: failed, transient or unknown
RETRYABLE_STATES = ("failed", "failed_transient", "unknown")
# https://docs.textus.com/en/articles/8676971-understanding-opt-outs: sole-word keywords
OPT_OUT_KEYWORDS = ("STOP", "UNSUBSCRIBE", "CANCEL", "STOPALL", "END", "QUIT")
# Path segments that are resources, not account slugs (some endpoints have no account prefix,
# e.g. https://apidocs.next.textus.com/docs/messages/get/).
RESERVED = {"accounts", "messages", "conversations", "contacts", "users", "contexts",
            "contact_phones", "opt_outs", "integrations", "saved_replies", "__fake"}

GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
           "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXT = set("^{}\\[~]|€\f")


def sms_segments(text):
    """Number of SMS segments (GSM-7: 160/153, UCS-2: 70/67 UTF-16 units)."""
    if all(c in GSM7 or c in GSM7_EXT for c in text):
        n = sum(2 if c in GSM7_EXT else 1 for c in text)
        return 1 if n <= 160 else -(-n // 153)
    n = len(text.encode("utf-16-le")) // 2
    return 1 if n <= 70 else -(-n // 67)


def formatted(e164):
    d = e164[2:]
    return "(%s) %s-%s" % (d[:3], d[3:6], d[6:])


def path_phone_to_e164(raw):
    """Phone in a URL path: bare 10-digit (the opt-out example '5558765559',
    https://apidocs.next.textus.com/docs/opt_outs/show), 1+10 digits or E.164 '+1..' (the
    conversation example, https://apidocs.next.textus.com/docs/accounts/conversation/).
    Returns E.164 or None."""
    s = raw.strip()
    if re.fullmatch(r"\+1\d{10}", s):
        return s
    if re.fullmatch(r"1\d{10}", s):
        return "+" + s
    if re.fullmatch(r"\d{10}", s):
        return "+1" + s
    return None


def loose_phone_to_e164(raw):
    """Contact numbers are free-form ('1-720-333-1234', '1-303-123-4567 x2921';
    https://apidocs.next.textus.com/docs/contacts/create-contact/). Returns (e164, extension)
    or (None, None)."""
    if not isinstance(raw, str):
        return None, None
    m = re.split(r"(?i)\s*(?:x|ext\.?)\s*(\d+)\s*$", raw.strip(), maxsplit=1)
    main, ext = m[0], (m[1] if len(m) > 1 else None)
    digits = re.sub(r"\D", "", main)
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) != 10:
        return None, None
    return "+1" + digits, ext


def hydra_error(status, title, description, code=None, extra=None):
    """Inference (error bodies are not documented): a JSON-LD / Hydra-style error body with
    code, hydra:title and hydra:description."""
    body = {"@context": "/contexts/Error", "@type": "hydra:Error",
            "hydra:title": title, "hydra:description": description,
            "title": title, "detail": description}
    if code:
        body["code"] = code
    if extra:
        body.update(extra)
    return Response(status, body, content_type=RESPONSE_CTYPE)


class TextUsFake:
    name = "textus"
    error_content_type = RESPONSE_CTYPE

    def __init__(self, config, limiter, random_seed=None):
        self.config = config
        self.limiter = limiter
        self._ids = random.Random(("textus-ids", random_seed).__repr__())
        self.tokens = {}            # token -> {"user", "accounts", "roles", "label", "email"}
        self.accounts = {}          # slug -> dict (with "parent": slug or None)
        self.users = {}             # "/users/1" -> {"name", "email"}
        self.opt_outs = {}          # e164 -> OptOut record (organisation-wide)
        self.conversations = {}     # id -> conversation record
        self.conv_by_key = {}       # (slug, e164) -> id
        self.messages = {}          # id -> message record
        self.message_order = []
        self.contacts = {}          # id -> contact record
        self.contact_order = []
        self.saved_replies = []     # saved reply records, in creation order
        self.timeline = 0

    # ------------------------------------------------------------------ seed / state
    def seed(self, data):
        data = data or {}
        for i, (tok, info) in enumerate((data.get("tokens") or {}).items(), len(self.tokens) + 1):
            entry = dict(info)
            entry.setdefault("label", "token#%d" % i)
            entry.setdefault("accounts", [])
            entry.setdefault("roles", {})
            self.tokens[tok] = entry
            self.users.setdefault(entry["user"], {"name": entry.get("name", entry["user"]),
                                                  "email": entry.get("email")})
        for uid, u in (data.get("users") or {}).items():
            self.users.setdefault(uid, {}).update(u)
        for slug, acc in (data.get("accounts") or {}).items():
            a = {"name": slug.title(), "type": "standard", "phoneNumbers": [],
                 "messagingRestricted": False, "multiUser": True, "parent": None}
            a.update(acc)
            a["slug"] = slug
            self.accounts[slug] = a
        for item in data.get("opt_outs") or []:
            if isinstance(item, str):
                item = {"phone": item}
            e = path_phone_to_e164(item["phone"])
            if e:
                self.opt_outs.setdefault(e, {"phone": e, "createdAt": utc_iso(ms=True),
                                             "createdVia": item.get("createdVia", "User"),
                                             "user": item.get("user"),
                                             "account": item.get("account")})
        blocked = data.get("blocked") or []
        if isinstance(blocked, list):          # a bare list blocks in every account
            blocked = {slug: blocked for slug in self.accounts}
        for slug, phones in blocked.items():
            for p in phones:
                e = path_phone_to_e164(p)
                if e:
                    self._conversation(slug, e, create=True)["blocked"] = True
        for c in data.get("contacts") or []:
            self._create_contact(c.get("account") or next(iter(self.accounts)), c)
        for r in data.get("saved_replies") or []:
            self._create_saved_reply(r)
        for m in data.get("messages") or []:
            e = path_phone_to_e164(m["phone"])
            conv = self._conversation(m["account"], e, create=True)
            self._create_message(conv, m.get("body", ""), m.get("direction", "out"),
                                 m.get("deliveryState", "delivered"), m.get("sender"),
                                 created=m.get("createdAt"))

    def secrets(self):
        return list(self.tokens.keys())

    def state(self):
        return {
            "users": [{"id": uid, **u} for uid, u in self.users.items()],
            "tokens": [{"label": t["label"], "user": t["user"], "accounts": t["accounts"]}
                       for t in self.tokens.values()],
            "accounts": [self._account_json(a, None) for a in self.accounts.values()],
            "messages": [self._message_json(self.messages[i], with_account=True)
                         for i in self.message_order],
            "opt_outs": [self._opt_out_json(o["account"] or "", o) for o in self.opt_outs.values()],
            "conversations": [self._conversation_json(c) for c in self.conversations.values()],
            "contacts": [self._contact_json(self.contacts[i]) for i in self.contact_order],
            "saved_replies": [self._saved_reply_json(r) for r in self.saved_replies],
        }

    def current_limit(self):
        return self.config["textus_rate_limit"]

    # ------------------------------------------------------------------ control helpers
    def advance(self, message_id=None, state=None):
        """Set one message's deliveryState, or move every pending outbound message to delivered."""
        changed = []
        if message_id:
            m = self.messages.get(message_id)
            if m is None:
                raise KeyError(message_id)
            st = state or "delivered"
            if st not in DELIVERY_STATES:
                raise ValueError("unknown deliveryState %r" % st)
            self._set_state(m, st)
            changed.append(message_id)
        else:
            for mid in self.message_order:
                m = self.messages[mid]
                if m["direction"] == "out" and m["state"] in PENDING_STATES:
                    self._set_state(m, state or "delivered")
                    changed.append(mid)
        return changed

    def inbound(self, slug, phone, body):
        """Simulate a text from the contact; a sole opt-out keyword opts the number out
        (https://docs.textus.com/en/articles/8676971-understanding-opt-outs). A blocked
        number's texts are not received at all (https://help.next.textus.com/en/articles/
        2817045-how-to-block-a-number): nothing is added and None is returned."""
        e = path_phone_to_e164(phone)
        if e is None or slug not in self.accounts:
            raise ValueError("bad account or phone")
        if not isinstance(body, str):
            raise ValueError("body must be a string")
        conv = self._conversation(slug, e, create=True)
        if conv["blocked"]:
            return None
        m = self._create_message(conv, body, "in", "received", None)
        if body.strip().upper() in OPT_OUT_KEYWORDS:
            self._opt_out(e, slug, None, via="Keyword")
        return m["id"]

    def outbound(self, slug, phone, body, sender):
        """Simulate a text sent to the number by someone else (a colleague in the TextUs UI)."""
        e = path_phone_to_e164(phone)
        if e is None or slug not in self.accounts:
            raise ValueError("bad account or phone")
        if not isinstance(body, str) or not body:
            raise ValueError("body must be a non-empty string")
        conv = self._conversation(slug, e, create=True)
        m = self._create_message(conv, body, "out", "delivered", sender or "/users/colleague")
        return m["id"]

    # ------------------------------------------------------------------ auth description
    def describe_auth(self, value):
        if value is None:
            return None
        tok = parse_bearer(value)
        if tok is None:
            return "%s (not Bearer; invalid)" % (auth_scheme(value) or "?")
        t = self.tokens.get(tok)
        if t is None:
            return "Bearer <unrecognised token> (invalid)"
        return "Bearer %s (valid)" % t["label"]

    # ------------------------------------------------------------------ request entry
    def handle(self, req):
        tok = parse_bearer(req.header("authorization"))
        token = self.tokens.get(tok) if tok else None
        # https://apidocs.next.textus.com/overview/rate_limiting: 1,000 requests / 5 min per
        # token (per IP when unauthenticated); X-RateLimit-Limit/Remaining/Reset on every
        # response; 429 + Retry-After (seconds) when over.
        key = ("token", token["label"]) if token else ("ip", req.client_ip)
        ok, limit, remaining, reset, retry_after = self.limiter.hit(
            ("textus",) + key, self.config["textus_rate_limit"], self.config["textus_rate_window"])
        if not ok:
            resp = hydra_error(429, "Too Many Requests",
                               "Rate limit exceeded; retry after %d seconds" % retry_after,
                               code="rate_limited")
            resp.set_header("Retry-After", retry_after)
        else:
            resp = self._handle_authenticated(req, token)
        resp.set_header("X-RateLimit-Limit", limit)
        resp.set_header("X-RateLimit-Remaining", remaining)
        resp.set_header("X-RateLimit-Reset", reset)
        return resp

    def _handle_authenticated(self, req, token):
        # https://apidocs.next.textus.com/overview/auth/: Authorization: Bearer {token}
        if token is None:
            resp = hydra_error(401, "Unauthorized", "Missing or invalid API token",
                               code="unauthorized")
            resp.set_header("WWW-Authenticate", 'Bearer realm="textus"')
            return resp
        # https://apidocs.next.textus.com/overview/making_requests/: Accept:
        # application/vnd.textus+jsonld on every call. Inference (Nango: plain JSON is
        # rejected): strict -- */* and application/json alone get 406.
        if VND not in media_types(req.header("accept")):
            return hydra_error(406, "Not Acceptable",
                               "Accept must include %s" % VND, code="not_acceptable")
        # https://apidocs.next.textus.com/overview/making_requests/: Content-Type:
        # application/vnd.textus+jsonld on every call with a body
        if req.body and (media_types(req.header("content-type")) or [""])[0] != VND:
            return hydra_error(415, "Unsupported Media Type",
                               "Content-Type must be %s" % VND, code="unsupported_media_type")
        return self._route(req, token)

    # ------------------------------------------------------------------ routing
    def _route(self, req, token):
        segs = [urllib.parse.unquote(s) for s in req.raw_path.split("/")[1:]]
        if segs and segs[-1] == "" and len(segs) > 1:
            segs = segs[:-1]
        m, n = req.method, len(segs)
        routes = []
        if segs[0] == "accounts" and n == 1:
            # https://apidocs.next.textus.com/docs/accounts/index
            routes = [("GET", self.list_accounts)]
        elif segs[0] == "accounts" and n == 3 and segs[2] == "accounts":
            # https://apidocs.next.textus.com/docs/accounts/descendants
            routes = [("GET", lambda r, t: self.list_descendants(r, t, segs[1]))]
        elif segs[0] == "messages" and n == 1:
            # https://apidocs.next.textus.com/docs/messages/send_without_account/
            routes = [("POST", self.send_without_account)]
        elif segs[0] == "messages" and n == 2:
            # https://apidocs.next.textus.com/docs/messages/get/
            routes = [("GET", lambda r, t: self.get_message(r, t, segs[1]))]
        elif segs[0] == "messages" and n == 3 and segs[2] == "retry":
            # https://apidocs.next.textus.com/docs/messages/retry
            routes = [("POST", lambda r, t: self.retry_message(r, t, segs[1]))]
        elif segs[0] == "conversations" and n == 2:
            # https://apidocs.next.textus.com/docs/conversations/get
            routes = [("GET", lambda r, t: self.get_conversation_by_id(r, t, segs[1]))]
        elif segs[0] == "conversations" and n == 3 and segs[2] == "timeline":
            # https://apidocs.next.textus.com/docs/conversations/timeline
            routes = [("GET", lambda r, t: self.get_timeline(r, t, segs[1]))]
        elif segs[0] == "conversations" and n == 3 and segs[2] == "associated_contacts":
            # the associatedContacts link of a Conversation
            # (https://apidocs.next.textus.com/docs/conversation_filters/conversations, example)
            routes = [("GET", lambda r, t: self.associated_contacts(r, t, segs[1]))]
        elif segs[0] == "conversations" and n == 3 and segs[2] in ("block", "close", "reopen"):
            # https://apidocs.next.textus.com/docs/conversations/block/ (PUT) and
            # https://apidocs.next.textus.com/docs/conversations/unblock/ (DELETE); close and
            # reopen are the Conversation's closeConversation / reopenConversation links
            action = segs[2]
            routes = [("PUT", lambda r, t: self.conversation_action(r, t, segs[1], action, True))]
            if action == "block":
                routes.append(("DELETE", lambda r, t: self.conversation_action(
                    r, t, segs[1], "block", False)))
        elif segs[0] == "contacts" and n == 2:
            # https://apidocs.next.textus.com/docs/contacts/get/ (its example: GET /contacts/:id)
            # and https://apidocs.next.textus.com/docs/contacts/update (PUT). No PATCH is
            # documented: it gets 405 with Allow.
            routes = [("GET", lambda r, t: self.get_contact(r, t, segs[1])),
                      ("PUT", lambda r, t: self.put_contact(r, t, segs[1]))]
        elif segs[0] == "users" and n == 1:
            # https://apidocs.next.textus.com/docs/users/index
            routes = [("GET", self.list_users)]
        elif segs[0] == "users" and n == 2:
            # https://apidocs.next.textus.com/docs/users/show
            routes = [("GET", lambda r, t: self.get_user(r, t, segs[1]))]
        elif segs[0] == "users" and n == 3 and segs[2] == "saved_replies":
            # https://apidocs.next.textus.com/docs/saved_replies/search/ (GET) and
            # https://apidocs.next.textus.com/docs/saved_replies/create (POST)
            routes = [("GET", lambda r, t: self.search_saved_replies(r, t, segs[1])),
                      ("POST", lambda r, t: self.create_saved_reply(r, t, segs[1]))]
        elif segs[0] == "contacts" and n == 3 and segs[2] == "conversations":
            # https://apidocs.next.textus.com/docs/contacts/conversations
            routes = [("GET", lambda r, t: self.contact_conversations(r, t, segs[1]))]
        elif n >= 2 and segs[0] not in RESERVED:
            slug = segs[0]
            rest = segs[1:]
            if rest == ["messages"]:
                # https://apidocs.next.textus.com/docs/messages/send/
                routes = [("POST", lambda r, t: self.send_message(r, t, slug))]
            elif rest == ["messages", "schedule"]:
                # https://apidocs.next.textus.com/docs/messages/schedule/
                routes = [("POST", lambda r, t: self.schedule_message(r, t, slug))]
            elif rest == ["opt_outs"]:
                # https://apidocs.next.textus.com/docs/opt_outs/index
                routes = [("GET", lambda r, t: self.list_opt_outs(r, t, slug))]
            elif len(rest) == 2 and rest[0] == "opt_outs":
                # https://apidocs.next.textus.com/docs/opt_outs/show (GET) and
                # https://apidocs.next.textus.com/docs/opt_outs/update (PUT)
                routes = [("GET", lambda r, t: self.get_opt_out(r, t, slug, rest[1])),
                          ("PUT", lambda r, t: self.put_opt_out(r, t, slug, rest[1]))]
            elif len(rest) == 2 and rest[0] == "conversations":
                # https://apidocs.next.textus.com/docs/accounts/conversation/
                routes = [("GET", lambda r, t: self.get_conversation(r, t, slug, rest[1]))]
            elif rest == ["contacts"]:
                # https://apidocs.next.textus.com/docs/contacts/create-contact/ (POST) and
                # https://apidocs.next.textus.com/docs/contacts/index (GET)
                routes = [("POST", lambda r, t: self.create_contact(r, t, slug)),
                          ("GET", lambda r, t: self.list_contacts(r, t, slug))]
            elif rest == ["contact_phones"]:
                # https://apidocs.next.textus.com/docs/contact_phones/index/
                routes = [("GET", lambda r, t: self.list_contact_phones(r, t, slug))]
        if not routes:
            return hydra_error(404, "Not Found", "No route matches %s" % req.path, code="not_found")
        for meth, fn in routes:
            if meth == m:
                return fn(req, token)
        # Inference (not documented): a known path with another method gets 405 with Allow.
        resp = hydra_error(405, "Method Not Allowed", "%s not allowed here" % m)
        resp.set_header("Allow", ", ".join(meth for meth, _ in routes))
        return resp

    # ------------------------------------------------------------------ helpers
    def _new_id(self, n=6):
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
        return "".join(self._ids.choice(alphabet) for _ in range(n))

    def _ancestors(self, slug):
        """The account's ancestors, nearest first, up to and including the primary."""
        out, seen = [], {slug}
        p = self.accounts.get(slug, {}).get("parent")
        while p and p in self.accounts and p not in seen:
            out.append(p)
            seen.add(p)
            p = self.accounts[p].get("parent")
        return out

    def _descendants(self, slug):
        """The account and all its descendants, parents before children."""
        out, todo = [], [slug]
        while todo:
            s = todo.pop(0)
            if s in out:
                continue
            out.append(s)
            todo.extend(sorted(x for x, a in self.accounts.items() if a.get("parent") == s))
        return out

    def _via(self, token, slug):
        """The membership through which the token's user reaches slug (slug itself or its
        nearest ancestor), or None. https://apidocs.next.textus.com/docs/accounts/index: users
        have Memberships at accounts of the tree; Inference: a membership at an account reaches
        its descendants (the tree of the accounts page: the primary and its "descendants"), not
        its ancestors."""
        if slug not in self.accounts:
            return None
        for s in [slug] + self._ancestors(slug):
            if s in token["accounts"]:
                return s
        return None

    def _member_account(self, token, slug):
        """Slug-scoped endpoints (/:account/...) accept an account the token's user reaches
        through the tree. Inference: 404 for an unknown slug or one the user cannot reach (no
        existence leak)."""
        if self._via(token, slug):
            return self.accounts[slug]
        return None

    def _reaches(self, token, slug):
        return self._via(token, slug) is not None

    def _not_found(self, what):
        return hydra_error(404, "Not Found", "%s not found" % what, code="not_found")

    def _unprocessable(self, description, code, extra=None):
        return hydra_error(422, "Unprocessable Entity", description, code=code, extra=extra)

    def _ok(self, status, obj):
        return Response(status, obj, content_type=RESPONSE_CTYPE)

    def _json_body(self, req):
        try:
            data = req.json()
        except (ValueError, UnicodeDecodeError):
            return None, hydra_error(400, "Bad Request", "Body must be a JSON object",
                                     code="bad_request")
        if not isinstance(data, dict):
            return None, hydra_error(400, "Bad Request", "Body must be a JSON object",
                                     code="bad_request")
        return data, None

    def _collection(self, req, base_id, items, ctype="hydra:Collection",
                    size_knob="textus_page_size", extra=None):
        """https://apidocs.next.textus.com/docs/contact_phones/index/: a hydra:Collection with
        members/totalItems and a hydra:PartialCollectionView view {first, next, previous}.
        Inference (no page-size parameter is documented): the page size is a knob and the
        page number is ?page=N. Knob textus_collection_key "hydra:member" switches to the
        Nango spelling."""
        size = max(1, int(self.config[size_knob]))
        try:
            page = max(1, int(req.query.get("page", "1")))
        except ValueError:
            page = 1
        total = len(items)
        pages = max(1, -(-total // size))
        chunk = items[(page - 1) * size: page * size]
        other = [(k, v) for k, v in req.query_list if k != "page"]

        def link(p):
            return base_id + "?" + urllib.parse.urlencode(other + [("page", str(p))])

        hydra = self.config["textus_collection_key"] == "hydra:member"
        out = {
            "@context": "/contexts/%s" % ctype, "@type": ctype,
            "id": base_id + ("?" + req.raw_query if req.raw_query else ""),
            ("hydra:member" if hydra else "members"): chunk,
            ("hydra:totalItems" if hydra else "totalItems"): total,
            ("hydra:view" if hydra else "view"): {
                "@type": "hydra:PartialCollectionView",
                "id": link(page),
                "first": link(1),
                "next": link(page + 1) if page < pages else None,
                "previous": link(page - 1) if page > 1 else None,
            },
        }
        out.update(extra or {})
        return out

    # ------------------------------------------------------------------ accounts
    def _account_json(self, a, token):
        slug = a["slug"]
        children = [x for x in self.accounts.values() if x.get("parent") == slug]
        role = None
        if token:
            via = self._via(token, slug)
            role = token["roles"].get(via, "user") if via else None
        return {
            "@context": "/contexts/Account", "@type": "Account", "id": "/accounts/" + slug,
            "name": a["name"], "slug": slug, "type": a["type"], "multiUser": a["multiUser"],
            "familyCount": len(self._descendants(slug)), "childrenCount": len(children),
            "phoneNumbers": list(a["phoneNumbers"]),
            "effectiveRole": role,
            "messagingRestricted": bool(a["messagingRestricted"]),
            "parent": ("/accounts/" + a["parent"]) if a.get("parent") else None,
            "sendMessages": "/%s/messages" % slug,
            "scheduleMessages": "/%s/messages/schedule" % slug,
            "contacts": "/%s/contacts" % slug,
            "contactPhones": "/%s/contact_phones" % slug,
            "conversations": "/%s/conversations" % slug,
        }

    @staticmethod
    def _flag(req, name):
        v = req.query.get(name)
        return v is not None and v.lower() not in ("", "0", "false")

    def _filter_accounts(self, req, items):
        if "slug" in req.query:
            items = [a for a in items if a["slug"] == req.query["slug"]]
        if "type" in req.query:
            items = [a for a in items if a["type"] == req.query["type"]]
        if req.query.get("q"):
            q = req.query["q"].lower()
            items = [a for a in items if q in a["name"].lower() or q in a["slug"].lower()]
        return items

    def list_accounts(self, req, token):
        # https://apidocs.next.textus.com/docs/accounts/index:
        # GET /accounts{?ancestors,descendants,legal,q,type,slug}. With no query: the accounts
        # the user is *directly* a member of. Inference (the values of the tree views are not
        # documented): descendants=true adds the descendants of those accounts, ancestors=true
        # their ancestors. Filters implemented: slug, type, q (name/slug substring).
        slugs = [s for s in token["accounts"] if s in self.accounts]
        if self._flag(req, "descendants"):
            slugs = [d for s in slugs for d in self._descendants(s)]
        if self._flag(req, "ancestors"):
            slugs = [a for s in slugs for a in [s] + self._ancestors(s)]
        seen, items = set(), []
        for s in slugs:
            if s not in seen:
                seen.add(s)
                items.append(self.accounts[s])
        items = self._filter_accounts(req, items)
        return self._ok(200, self._collection(req, "/accounts",
                                              [self._account_json(a, token) for a in items],
                                              ctype="AccountCollection"))

    def list_descendants(self, req, token, slug):
        # https://apidocs.next.textus.com/docs/accounts/descendants:
        # GET /accounts/:account/accounts{?messaging,q,legal,type} -> the account and all its
        # descendants, flat. Inference: 404 unless the user reaches :account (a membership at
        # it or at an ancestor).
        if not self._reaches(token, slug):
            return self._not_found("Account")
        items = self._filter_accounts(req, [self.accounts[s] for s in self._descendants(slug)])
        return self._ok(200, self._collection(req, "/accounts/%s/accounts" % slug,
                                              [self._account_json(a, token) for a in items],
                                              ctype="AccountCollection"))

    # ------------------------------------------------------------------ conversations
    def _conversation(self, slug, e164, create=False):
        cid = self.conv_by_key.get((slug, e164))
        if cid is None:
            if not create:
                return None
            cid = "/conversations/" + self._new_id()
            self.conversations[cid] = {"id": cid, "account": slug, "phone": e164,
                                       "blocked": False, "closed": False, "messages": [],
                                       "events": [], "createdAt": utc_iso(ms=True)}
            self.conv_by_key[(slug, e164)] = cid
        return self.conversations[cid]

    def _contacts_of(self, conv):
        return [self.contacts[i] for i in self.contact_order
                if self.contacts[i]["account"] == conv["account"]
                and any(p["phoneNumber"] == conv["phone"] for p in self.contacts[i]["phones"])]

    def _conversation_json(self, conv):
        latest = self.messages[conv["messages"][-1]] if conv["messages"] else None
        contacts = self._contacts_of(conv)
        state = "blocked" if conv["blocked"] else ("closed" if conv["closed"] else "open")
        cid = conv["id"]
        # https://apidocs.next.textus.com/types/Conversation/; associatedContacts is a Link
        # (https://apidocs.next.textus.com/docs/conversation_filters/conversations example).
        return {
            "@context": "/contexts/Conversation", "@type": "Conversation", "id": cid,
            "phoneNumber": conv["phone"], "formattedPhoneNumber": formatted(conv["phone"]),
            "account": "/accounts/" + conv["account"],
            "currentState": state,                          # open, closed, blocked
            "blocked": conv["blocked"],
            "unsubscribed": conv["phone"] in self.opt_outs,  # opt-outs are organisation-wide
            "unanswered": bool(latest and latest["direction"] == "in"),
            "latestPreviewableItem": self._message_json(latest) if latest else None,
            "associatedContacts": cid + "/associated_contacts",
            "assignedContact": None,
            "timeline": cid + "/timeline",
            "nextScheduledMessage": self._next_scheduled(conv),
            "createdAt": conv["createdAt"],
            "blockConversation": cid + "/block", "unblockConversation": cid + "/block",
            "closeConversation": cid + "/close", "reopenConversation": cid + "/reopen",
        }

    def _visible_conversation(self, token, conv_id):
        conv = self.conversations.get(conv_id)
        if conv is None or not self._reaches(token, conv["account"]):
            return None
        return conv

    def get_conversation(self, req, token, slug, raw_phone):
        # https://apidocs.next.textus.com/docs/accounts/conversation/ (example uses +1...).
        # Inference (not documented): 404 when the number has no conversation in that account.
        if not self._member_account(token, slug):
            return self._not_found("Account")
        e = path_phone_to_e164(raw_phone)
        conv = self._conversation(slug, e) if e else None
        if conv is None:
            return self._not_found("Conversation")
        return self._ok(200, self._conversation_json(conv))

    def get_conversation_by_id(self, req, token, cid):
        # https://apidocs.next.textus.com/docs/conversations/get
        conv = self._visible_conversation(token, "/conversations/" + cid)
        if conv is None:
            return self._not_found("Conversation")
        return self._ok(200, self._conversation_json(conv))

    def associated_contacts(self, req, token, cid):
        # The Conversation's associatedContacts link: a ContactCollection of the contacts with
        # its number (https://apidocs.next.textus.com/docs/conversations/get example body).
        # Inference: contacts of the conversation's account, paginated like any collection.
        conv = self._visible_conversation(token, "/conversations/" + cid)
        if conv is None:
            return self._not_found("Conversation")
        items = [self._contact_json(c) for c in self._contacts_of(conv)]
        return self._ok(200, self._collection(req, conv["id"] + "/associated_contacts", items,
                                              ctype="ContactCollection"))

    def _event_json(self, ev):
        # Inference: Event members are not described beyond their existence; the fake gives
        # them an id outside /messages/ and a timelinePosition.
        return {"@context": "/contexts/ConversationEvent", "@type": "ConversationEvent",
                "id": ev["id"], "action": ev["action"], "timelinePosition": ev["at"],
                "displayTimestamp": ev["at"], "user": ev["user"]}

    def get_timeline(self, req, token, cid):
        # https://apidocs.next.textus.com/docs/conversations/timeline: the conversation's
        # Messages and Events in descending time order (members, totalItems, latestPosition,
        # hydra view.next). Inference: page size knob textus_timeline_page_size.
        conv = self._visible_conversation(token, "/conversations/" + cid)
        if conv is None:
            return self._not_found("Conversation")
        items = [(self.messages[m]["seq"], self._message_json(self.messages[m]))
                 for m in conv["messages"]]
        items += [(ev["seq"], self._event_json(ev)) for ev in conv["events"]]
        items.sort(key=lambda x: x[0], reverse=True)
        members = [x[1] for x in items]
        latest = members[0]["timelinePosition"] if members else None
        return self._ok(200, self._collection(req, conv["id"] + "/timeline", members,
                                              ctype="Timeline",
                                              size_knob="textus_timeline_page_size",
                                              extra={"latestPosition": latest}))

    def conversation_action(self, req, token, cid, action, on):
        # https://apidocs.next.textus.com/docs/conversations/block/: PUT -> 200 Conversation,
        # currentState "blocked"; https://apidocs.next.textus.com/docs/conversations/unblock/:
        # DELETE undoes it. close / reopen: 200 Conversation (Inference: not documented
        # beyond the links).
        conv = self._visible_conversation(token, "/conversations/" + cid)
        if conv is None:
            return self._not_found("Conversation")
        if action == "block":
            conv["blocked"] = on
        elif action == "close":
            conv["closed"] = True
        elif action == "reopen":
            conv["closed"] = False
        self.timeline += 1
        now = utc_iso(ms=True)
        name = {"block": "blocked" if on else "unblocked", "close": "closed",
                "reopen": "reopened"}[action]
        conv["events"].append({"id": "/conversation_events/" + self._new_id(),
                               "seq": self.timeline, "action": name, "at": now,
                               "user": token["user"]})
        return self._ok(200, self._conversation_json(conv))

    # ------------------------------------------------------------------ messages
    def _set_state(self, m, st):
        m["state"] = st
        m["latestEventAt"] = utc_iso(ms=True)

    def _create_message(self, conv, body, direction, state, sender, created=None):
        self.timeline += 1
        mid = "/messages/" + self._new_id()
        now = created or utc_iso(ms=True)
        m = {"id": mid, "conversation": conv["id"], "account": conv["account"],
             "phone": conv["phone"], "body": body, "direction": direction, "state": state,
             "sender": sender if direction == "out" else None, "createdAt": now,
             "latestEventAt": now, "seq": self.timeline, "gets": 0, "scheduledAt": None}
        self.messages[mid] = m
        self.message_order.append(mid)
        conv["messages"].append(mid)
        return m

    def _message_json(self, m, with_account=False):
        # https://apidocs.next.textus.com/types/Message/ (timelinePosition is a timestamp in
        # the examples of https://apidocs.next.textus.com/docs/conversations/timeline)
        st = m["state"]
        out = {
            "@context": "/contexts/Message", "@type": "Message", "id": m["id"],
            "direction": m["direction"], "body": m["body"],
            "formattedBody": "<p>%s</p>" % (m["body"].replace("&", "&amp;").replace("<", "&lt;")
                                            .replace(">", "&gt;")),
            "createdAt": m["createdAt"], "displayTimestamp": m["createdAt"],
            "timelinePosition": m["createdAt"], "latestEventAt": m["latestEventAt"],
            "deliveryState": st, "status": st, "friendlyStateDescription": FRIENDLY[st],
            "retryAllowed": st in RETRYABLE_STATES,
            "retry": (m["id"] + "/retry") if st in RETRYABLE_STATES else None,
            "conversation": m["conversation"], "sender": m["sender"],
            "attachments": {"@type": "hydra:Collection", "members": [], "totalItems": 0},
            "flags": ["scheduled"] if m.get("scheduledAt") else [], "source": "textus",
            "channel": "sms",
        }
        if m.get("scheduledAt"):
            # Inference (the Message type page lists no such field): the fake shows when a
            # scheduled message is due, for tests and the control API
            out["scheduledAt"] = m["scheduledAt"]
        if with_account:                    # control-API view only
            out["_account"] = m["account"]
            out["_to"] = m["phone"]
        return out

    def _validate_send(self, data):
        """Shared checks for both send endpoints. Returns (to_list, is_multi, body, error)."""
        to, body = data.get("to"), data.get("body")
        multi = isinstance(to, list)   # https://apidocs.next.textus.com/docs/messages/send/
        to_list = to if multi else [to]
        if not to_list or not all(isinstance(x, str) for x in to_list):
            return None, None, None, self._unprocessable(
                "'to' must be an E.164 number or an array of them", "invalid_to",
                {"errors": [{"field": "to", "message": "is required"}]})
        bad = [x for x in to_list if not E164_NANP.match(x)]
        if bad:
            # Inference (no page lists supported countries): E.164 '+1' NANP only
            return None, None, None, self._unprocessable(
                "'to' must be an E.164 +1 (NANP) number, got %r" % bad[0], "invalid_to",
                {"errors": [{"field": "to", "message": "is not a valid +1 E.164 number"}]})
        if not isinstance(body, str) or not body.strip():
            return None, None, None, self._unprocessable(
                "'body' must be a non-empty string", "invalid_body",
                {"errors": [{"field": "body", "message": "can't be blank"}]})
        limit = int(self.config["textus_segment_limit"] or 0)
        if limit and sms_segments(body) > limit:
            # https://docs.textus.com/en/articles/8725289-adjust-message-segment-limits: an
            # admin segment limit, default 3. Inference: over the limit -> 422.
            return None, None, None, self._unprocessable(
                "Message is %d segments; the account limit is %d" % (sms_segments(body), limit),
                "segment_limit_exceeded",
                {"errors": [{"field": "body", "message": "exceeds segment limit"}]})
        for x in to_list:
            if x in self.opt_outs:
                # Inference (send errors are not documented; opt-outs are organisation-wide):
                # sending to an opted-out number is refused with 422
                return None, None, None, self._unprocessable(
                    "Recipient %s has opted out of messages (organisation-wide)" % x,
                    "opted_out", {"errors": [{"field": "to", "message": "has opted out"}]})
        return to_list, multi, body, None

    def _send(self, token, slug, data):
        acc = self.accounts[slug]
        if acc["messagingRestricted"]:
            # https://apidocs.next.textus.com/types/Account/: messagingRestricted = not 10DLC
            # registered. Inference: 422 on send.
            return self._unprocessable("Account %s is restricted from sending messages "
                                       "(not 10DLC registered)" % slug, "messaging_restricted")
        to_list, multi, body, err = self._validate_send(data)
        if err:
            return err
        created = []
        for x in to_list:
            conv = self._conversation(slug, x, create=True)
            conv["closed"] = False
            created.append(self._create_message(conv, body, "out", "queued", token["user"]))
        if multi:
            return Response(202)                        # several recipients: 202, no body
        return self._ok(201, self._message_json(created[0]))   # one recipient: 201 Message

    def send_message(self, req, token, slug):
        # https://apidocs.next.textus.com/docs/messages/send/: POST /:account/messages {to, body}
        if not self._member_account(token, slug):
            return self._not_found("Account")
        data, err = self._json_body(req)
        if err:
            return err
        return self._send(token, slug, data)

    def send_without_account(self, req, token):
        # https://apidocs.next.textus.com/docs/messages/send_without_account/: POST /messages
        # with either `from` (an account number) or `email` (a user's email)
        data, err = self._json_body(req)
        if err:
            return err
        slug = None
        if data.get("from"):
            for s in token["accounts"]:
                if s in self.accounts and data["from"] in self.accounts[s]["phoneNumbers"]:
                    slug = s
                    break
            if slug is None:
                return self._unprocessable("'from' is not a number of an account you belong to",
                                           "invalid_from")
        elif data.get("email"):
            user = self.users.get(token["user"], {})
            if (user.get("email") or "").lower() != str(data["email"]).lower() \
                    or not token["accounts"]:
                return self._unprocessable("No account found for email", "invalid_email")
            slug = token["accounts"][0]
        else:
            return self._unprocessable("Either 'from' or 'email' is required", "missing_from",
                                       {"errors": [{"field": "from", "message": "is required"}]})
        return self._send(token, slug, data)

    def _next_scheduled(self, conv):
        """https://apidocs.next.textus.com/docs/contacts/conversations: a Conversation exposes
        nextScheduledMessage. Inference: the earliest message still scheduled, as a Message."""
        due = [self.messages[i] for i in conv["messages"]
               if self.messages[i]["state"] == "scheduled" and self.messages[i].get("scheduledAt")]
        if not due:
            return None
        return self._message_json(min(due, key=lambda m: m["scheduledAt"]))

    def schedule_message(self, req, token, slug):
        # https://apidocs.next.textus.com/docs/messages/schedule/: POST /:account/messages/schedule
        # {from, to, body, scheduled_at} with scheduled_at ISO-8601 UTC ("2058-10-25T18:09:13Z")
        # -> 201 Message whose flags include "scheduled". Inference (the page shows one string
        # `to` and says nothing of errors): one recipient; scheduled_at must be that exact UTC
        # form and in the future, else 422; `from` (in the example) is optional, as on the
        # account's own send page, but when given it must be one of the account's numbers.
        acc = self._member_account(token, slug)
        if not acc:
            return self._not_found("Account")
        data, err = self._json_body(req)
        if err:
            return err
        if acc["messagingRestricted"]:
            return self._unprocessable("Account %s is restricted from sending messages "
                                       "(not 10DLC registered)" % slug, "messaging_restricted")
        if not isinstance(data.get("to"), str):
            return self._unprocessable("'to' must be one E.164 number", "invalid_to",
                                       {"errors": [{"field": "to", "message": "is required"}]})
        at = data.get("scheduled_at")
        if not isinstance(at, str) or not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", at):
            return self._unprocessable("'scheduled_at' must be an ISO-8601 UTC time like "
                                       "2058-10-25T18:09:13Z", "invalid_scheduled_at",
                                       {"errors": [{"field": "scheduled_at",
                                                    "message": "is invalid"}]})
        if at <= utc_iso():
            return self._unprocessable("'scheduled_at' must be in the future",
                                       "invalid_scheduled_at",
                                       {"errors": [{"field": "scheduled_at",
                                                    "message": "must be in the future"}]})
        if "from" in data:
            own = [loose_phone_to_e164(p)[0] for p in acc["phoneNumbers"]]
            frm = data["from"]
            if not isinstance(frm, str) or loose_phone_to_e164(frm)[0] not in own:
                return self._unprocessable("'from' is not a number of account %s" % slug,
                                           "invalid_from",
                                           {"errors": [{"field": "from",
                                                        "message": "is not a number of the "
                                                                   "account"}]})
        to_list, _, body, err = self._validate_send(data)
        if err:
            return err
        conv = self._conversation(slug, to_list[0], create=True)
        m = self._create_message(conv, body, "out", "scheduled", token["user"])
        m["scheduledAt"] = at
        return self._ok(201, self._message_json(m))

    def get_message(self, req, token, mid):
        # https://apidocs.next.textus.com/docs/messages/get/: GET /messages/:message
        m = self.messages.get("/messages/" + mid)
        if m is None or not self._reaches(token, m["account"]):
            return self._not_found("Message")
        script = self.config.get("textus_advance_on_get") or []
        if script and m["direction"] == "out":
            # Knob: each GET moves the message one step along the scripted list of states.
            m["gets"] += 1
            idx = min(m["gets"], len(script)) - 1
            if m["state"] != script[idx] and (m["state"] in PENDING_STATES):
                self._set_state(m, script[idx])
        return self._ok(200, self._message_json(m))

    def retry_message(self, req, token, mid):
        # https://apidocs.next.textus.com/docs/messages/retry: for failed / failed_transient /
        # unknown -> 202 no body
        m = self.messages.get("/messages/" + mid)
        if m is None or not self._reaches(token, m["account"]):
            return self._not_found("Message")
        if m["state"] not in RETRYABLE_STATES:
            return self._unprocessable("Message is not in a retryable state", "not_retryable")
        self._set_state(m, "queued")
        return Response(202)

    # ------------------------------------------------------------------ users, saved replies
    def _user_json(self, uid):
        # https://apidocs.next.textus.com/docs/users/show (User)
        u = self.users.get(uid, {})
        name = u.get("name") or ""
        first, _, last = name.partition(" ")
        accounts = sorted({s for t in self.tokens.values() if t["user"] == uid
                           for s in t["accounts"]})
        return {"@context": "/contexts/User", "@type": "User", "id": uid, "name": name,
                "firstName": u.get("firstName", first or None),
                "lastName": u.get("lastName", last or None), "email": u.get("email"),
                "avatar": None, "automatedActor": False, "hasPassword": False,
                "discarded": False, "settings": {"customSettings": {}},
                "memberships": {"@type": "hydra:Collection", "id": uid + "/memberships",
                                "members": [{"@type": "Membership",
                                             "id": "%s/memberships/%s" % (uid, s),
                                             "role": "user", "user": uid,
                                             "account": {"@type": "Account",
                                                         "id": "/accounts/" + s,
                                                         "name": self.accounts[s]["name"]
                                                         if s in self.accounts else s}}
                                            for s in accounts],
                                "totalItems": len(accounts)}}

    def _admin_accounts(self, token):
        return [s for s in token["accounts"] if token["roles"].get(s) == "admin"]

    def list_users(self, req, token):
        # https://apidocs.next.textus.com/docs/users/index: GET /users{?q,accounts[]} -- "Admins
        # may retrieve a list of all Users that belong to accounts at which they are an admin",
        # q searches by name or email. Inference (what a non-admin gets is not documented):
        # 403; an admin sees the users with a membership at an account of their admin tree.
        admin = self._admin_accounts(token)
        if not admin:
            return hydra_error(403, "Forbidden", "Only account admins may list users",
                               code="forbidden")
        reach = {d for s in admin for d in self._descendants(s)}
        uids = []
        for t in self.tokens.values():
            if t["user"] not in uids and any(s in reach for s in t["accounts"]):
                uids.append(t["user"])
        q = (req.query.get("q") or "").lower()
        items = []
        for uid in uids:
            u = self.users.get(uid, {})
            if q and q not in (u.get("name") or "").lower() and q not in (u.get("email") or "").lower():
                continue
            items.append(self._user_json(uid))
        return self._ok(200, self._collection(req, "/users", items))

    def get_user(self, req, token, uid):
        # https://apidocs.next.textus.com/docs/users/show. Inference: a user sees themselves,
        # an admin the users of their accounts; anyone else 404.
        uid = "/users/" + uid
        if uid not in self.users:
            return self._not_found("User")
        if uid != token["user"]:
            reach = {d for s in self._admin_accounts(token) for d in self._descendants(s)}
            if not any(t["user"] == uid and any(s in reach for s in t["accounts"])
                       for t in self.tokens.values()):
                return self._not_found("User")
        return self._ok(200, self._user_json(uid))

    def _create_saved_reply(self, data):
        r = {"id": "/saved_replies/" + self._new_id(7), "title": data.get("title") or "",
             "content": data.get("content") or "", "shared": bool(data.get("shared")),
             "user": data["user"], "account": data.get("account")}
        self.saved_replies.append(r)
        return r

    def _saved_reply_json(self, r):
        # https://apidocs.next.textus.com/docs/saved_replies/search/ (SavedReply members)
        return {"@type": "SavedReply", "id": r["id"], "@context": "/contexts/SavedReply.jsonld",
                "title": r["title"], "content": r["content"], "shared": r["shared"],
                "user": r["user"]}

    def _shares_account(self, a, b):
        accs = lambda uid: {s for t in self.tokens.values() if t["user"] == uid
                            for s in t["accounts"]}
        return bool(accs(a) & accs(b))

    def search_saved_replies(self, req, token, uid):
        # https://apidocs.next.textus.com/docs/saved_replies/search/: GET
        # /users/:user/saved_replies{?filter,query}; "all": the user's own and those other
        # users on the account have shared, "mine": only the user's own. The page's template
        # names the search parameter `query`, its examples send `q` (and the response's id
        # echoes `q`): both are accepted. Inference: the search matches title or content,
        # case-insensitively; another user's saved replies are not visible (404); a filter other
        # than all/mine is 422.
        uid = "/users/" + uid
        if uid != token["user"]:
            return self._not_found("User")
        flt = req.query.get("filter", "all")
        if flt not in ("all", "mine"):
            return self._unprocessable("filter must be all or mine", "invalid_filter")
        # knob textus_saved_reply_search: "both" (default), or only "q", only "query", or
        # "none" (the search ignored): each reading of the page, to test what the host sends
        mode = self.config.get("textus_saved_reply_search", "both")
        q = ((req.query.get("q") if mode in ("both", "q") else None)
             or (req.query.get("query") if mode in ("both", "query") else None) or "").lower()
        items = []
        for r in self.saved_replies:
            own = r["user"] == uid
            if not own and (flt == "mine" or not r["shared"]
                            or not self._shares_account(uid, r["user"])):
                continue
            if q and q not in r["title"].lower() and q not in r["content"].lower():
                continue
            items.append(self._saved_reply_json(r))
        return self._ok(200, self._collection(req, uid + "/saved_replies", items,
                                              ctype="SavedReplyCollection"))

    def create_saved_reply(self, req, token, uid):
        # https://apidocs.next.textus.com/docs/saved_replies/create: POST
        # /users/:user/saved_replies {"saved_reply": {title, content, attachments}} -> 201
        uid = "/users/" + uid
        if uid != token["user"]:
            return self._not_found("User")
        data, err = self._json_body(req)
        if err:
            return err
        sr = data.get("saved_reply")
        if not isinstance(sr, dict) or not isinstance(sr.get("title"), str) \
                or not isinstance(sr.get("content"), str) or not sr["content"].strip():
            return self._unprocessable("saved_reply needs a title and a content", "invalid")
        r = self._create_saved_reply({"title": sr["title"], "content": sr["content"],
                                      "shared": bool(sr.get("shared")), "user": uid})
        return self._ok(201, self._saved_reply_json(r))

    # ------------------------------------------------------------------ opt-outs
    def _opt_out(self, e164, slug, user, via="User"):
        if e164 not in self.opt_outs:
            self.opt_outs[e164] = {"phone": e164, "createdAt": utc_iso(ms=True),
                                   "createdVia": via, "user": user, "account": slug}
        return self.opt_outs[e164]

    def _opt_out_json(self, slug, o):
        # https://apidocs.next.textus.com/docs/opt_outs/show: id like /textus/opt_outs/+1555...;
        # `user` null (show) or an embedded User {id, name, firstName, lastName, email}
        # (https://apidocs.next.textus.com/docs/opt_outs/update); `originatingAccount` an
        # embedded Account {id, name}
        user = None
        if o["user"]:
            u = self.users.get(o["user"], {})
            name = u.get("name", o["user"])
            user = {"@type": "User", "@context": "/contexts/User.jsonld", "id": o["user"],
                    "name": name, "firstName": name.split(" ")[0],
                    "lastName": " ".join(name.split(" ")[1:]), "email": u.get("email")}
        acct = None
        if o["account"]:
            acct = {"@type": "Account", "@context": "/contexts/Account.jsonld",
                    "id": "/accounts/" + o["account"],
                    "name": self.accounts.get(o["account"], {}).get("name", o["account"])}
        return {"@context": "/contexts/OptOut", "@type": "OptOut",
                "id": "/%s/opt_outs/%s" % (slug, o["phone"]),
                "phoneNumber": o["phone"], "formattedPhoneNumber": formatted(o["phone"]),
                "createdAt": o["createdAt"], "createdVia": o["createdVia"],
                "user": user, "originatingAccount": acct}

    def get_opt_out(self, req, token, slug, raw_phone):
        # https://apidocs.next.textus.com/docs/opt_outs/show (bare 10-digit in the example).
        # Inference (not documented): 404 when there is none. Opt-outs are organisation-wide.
        if not self._member_account(token, slug):
            return self._not_found("Account")
        e = path_phone_to_e164(raw_phone)
        if e is None or e not in self.opt_outs:
            return self._not_found("OptOut")
        return self._ok(200, self._opt_out_json(slug, self.opt_outs[e]))

    def put_opt_out(self, req, token, slug, raw_phone):
        # https://apidocs.next.textus.com/docs/opt_outs/update: no body -> 201 OptOut.
        # Inference: idempotent -- a repeat returns 201 with the existing record.
        if not self._member_account(token, slug):
            return self._not_found("Account")
        e = path_phone_to_e164(raw_phone)
        if e is None:
            return self._unprocessable("Invalid phone number %r" % raw_phone, "invalid_phone")
        return self._ok(201, self._opt_out_json(slug, self._opt_out(e, slug, token["user"])))

    def list_opt_outs(self, req, token, slug):
        # https://apidocs.next.textus.com/docs/opt_outs/index: {?q,exact[]}; q is a partial
        # match of at least 3 characters
        if not self._member_account(token, slug):
            return self._not_found("Account")
        items = list(self.opt_outs.values())
        q = req.query.get("q")
        if q is not None:
            if len(q) < 3:
                return self._unprocessable("q must be at least 3 characters", "invalid_q")
            digits = re.sub(r"\D", "", q)
            items = [o for o in items if digits and digits in o["phone"]]
        exact = req.query_multi("exact[]")
        if exact:
            wanted = {path_phone_to_e164(x) for x in exact}
            items = [o for o in items if o["phone"] in wanted]
        return self._ok(200, self._collection(req, "/%s/opt_outs" % slug,
                                              [self._opt_out_json(slug, o) for o in items]))

    # ------------------------------------------------------------------ contacts
    def _phones_from(self, phones):
        out = []
        for p in phones or []:
            e, ext = loose_phone_to_e164(p.get("number"))
            out.append({"id": "/contact_phones/" + self._new_id(), "phoneNumber": e,
                        "extension": ext, "type": p.get("type") or "Mobile"})
        return out

    def _create_contact(self, slug, data):
        cid = "/contacts/" + self._new_id(7)
        name = data.get("name") or ""
        first, _, last = name.partition(" ")
        c = {"id": cid, "account": slug, "name": name, "firstName": first or None,
             "lastName": last or None, "data": dict(data.get("data") or {}),
             "phones": self._phones_from(data.get("phones")), "createdAt": utc_iso(ms=True)}
        self.contacts[cid] = c
        self.contact_order.append(cid)
        return c

    def _phone_json(self, c, p, embed_contact):
        out = {"@context": "/contexts/ContactPhone", "@type": "ContactPhone", "id": p["id"],
               "phoneNumber": p["phoneNumber"], "formattedPhoneNumber": formatted(p["phoneNumber"]),
               "extension": p["extension"], "type": p["type"], "deliverabilityStatus": "unknown",
               "contact": (self._contact_json(c, embed_phones=False) if embed_contact
                           else c["id"])}
        return out

    def _contact_json(self, c, embed_phones=True):
        # https://apidocs.next.textus.com/docs/contacts/get/ (Contact)
        out = {"@context": "/contexts/Contact", "@type": "Contact", "id": c["id"],
               "name": c["name"], "firstName": c["firstName"], "lastName": c["lastName"],
               "data": c["data"], "createdAt": c["createdAt"],
               "notes": {"@type": "hydra:Collection", "members": [], "totalItems": 0},
               "conversations": c["id"] + "/conversations"}
        if embed_phones:
            out["phones"] = {"@type": "hydra:Collection", "id": c["id"] + "/phones",
                             "members": [self._phone_json(c, p, False) for p in c["phones"]],
                             "totalItems": len(c["phones"])}
        return out

    def _validate_contact(self, data):
        if not isinstance(data.get("name"), str) or not data["name"].strip():
            return self._unprocessable("'name' must be a non-empty string", "invalid_name",
                                       {"errors": [{"field": "name",
                                                    "message": "can't be blank"}]})
        phones = data.get("phones")
        if not isinstance(phones, list) or not phones:
            return self._unprocessable("'phones' must be a non-empty array", "invalid_phones",
                                       {"errors": [{"field": "phones",
                                                    "message": "is required"}]})
        for p in phones:
            if not isinstance(p, dict) or loose_phone_to_e164(p.get("number"))[0] is None:
                return self._unprocessable("Invalid phone number %r" % (
                    p.get("number") if isinstance(p, dict) else p), "invalid_phone",
                    {"errors": [{"field": "phones", "message": "number is invalid"}]})
            if "type" in p and not isinstance(p["type"], str):
                return self._unprocessable("a phone type must be a string", "invalid_phone",
                                           {"errors": [{"field": "phones",
                                                        "message": "type is invalid"}]})
        if "data" in data and not isinstance(data["data"], dict):
            return self._unprocessable("'data' must be an object", "invalid_data")
        return None

    def create_contact(self, req, token, slug):
        # https://apidocs.next.textus.com/docs/contacts/create-contact/:
        # POST /:account/contacts {name, phones:[{number,type}], data} -> 200 Contact.
        # Inference: name and at least one parseable phone are required; no merge with
        # existing contacts (not documented).
        if not self._member_account(token, slug):
            return self._not_found("Account")
        data, err = self._json_body(req)
        if err:
            return err
        err = self._validate_contact(data)
        if err:
            return err
        return self._ok(200, self._contact_json(self._create_contact(slug, data)))

    def _visible_contact(self, token, cid):
        c = self.contacts.get("/contacts/" + cid)
        if c is None or not self._reaches(token, c["account"]):
            return None
        return c

    def get_contact(self, req, token, cid):
        # https://apidocs.next.textus.com/docs/contacts/get/ (example GET /contacts/:contact)
        c = self._visible_contact(token, cid)
        if c is None:
            return self._not_found("Contact")
        return self._ok(200, self._contact_json(c))

    def put_contact(self, req, token, cid):
        # https://apidocs.next.textus.com/docs/contacts/update: PUT /contacts/:contact
        # {name, phones: [{number, type}], data} -> 200 Contact. The page does not say whether
        # fields left out are kept. Inference (the strict reading of PUT): what is sent
        # replaces the contact -- name, the whole phone list and data.
        c = self._visible_contact(token, cid)
        if c is None:
            return self._not_found("Contact")
        data, err = self._json_body(req)
        if err:
            return err
        err = self._validate_contact(data)
        if err:
            return err
        c["name"] = data["name"]
        first, _, last = data["name"].partition(" ")
        c["firstName"], c["lastName"] = first or None, last or None
        c["data"] = dict(data.get("data") or {})
        c["phones"] = self._phones_from(data["phones"])
        return self._ok(200, self._contact_json(c))

    def list_contacts(self, req, token, slug):
        # https://apidocs.next.textus.com/docs/contacts/index
        if not self._member_account(token, slug):
            return self._not_found("Account")
        items = [self._contact_json(self.contacts[i]) for i in self.contact_order
                 if self.contacts[i]["account"] == slug]
        return self._ok(200, self._collection(req, "/%s/contacts" % slug, items))

    def list_contact_phones(self, req, token, slug):
        # https://apidocs.next.textus.com/docs/contact_phones/index/: {?q}; each member embeds
        # its contact. Inference: q matches a substring of the name or the digits within the
        # number; no match -> empty members.
        if not self._member_account(token, slug):
            return self._not_found("Account")
        q = (req.query.get("q") or "").strip()
        digits = re.sub(r"\D", "", q)
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        members = []
        for i in self.contact_order:
            c = self.contacts[i]
            if c["account"] != slug:
                continue
            for p in c["phones"]:
                if (not q or (digits and digits in p["phoneNumber"])
                        or (q.lower() in c["name"].lower())):
                    members.append(self._phone_json(c, p, True))
        return self._ok(200, self._collection(req, "/%s/contact_phones" % slug, members))

    def contact_conversations(self, req, token, cid):
        # https://apidocs.next.textus.com/docs/contacts/conversations: each with unsubscribed
        # and blocked
        c = self._visible_contact(token, cid)
        if c is None:
            return self._not_found("Contact")
        items = []
        for p in c["phones"]:
            for (slug, e), conv_id in self.conv_by_key.items():
                if e == p["phoneNumber"] and self._reaches(token, slug):
                    items.append(self._conversation_json(self.conversations[conv_id]))
        return self._ok(200, self._collection(req, c["id"] + "/conversations", items))
