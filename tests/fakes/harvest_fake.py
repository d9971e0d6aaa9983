"""Fakes of Greenhouse Harvest v1 (/v1), Harvest v3 (/v3) and the OAuth token endpoint
(auth.greenhouse.io POST /token).

Every route cites the official page that documents it: Harvest v1 at
https://developers.greenhouse.io/harvest.html (anchors per section), Harvest v3 at
https://harvestdocs.greenhouse.io/... Where the pages are silent the fake makes the safe
(strict) choice and marks it "Inference:"; the choices are listed in README.md.

One GreenhouseStore (users, candidates, notes, credentials, issued tokens) is shared by the
harvest and auth listeners, like one Greenhouse tenant.
"""

import base64
import json
import os
import re
import time
import urllib.parse

from fakecore import Response, auth_scheme, media_types, parse_basic, parse_bearer, utc_iso

JSON_CTYPE = "application/json; charset=utf-8"

# Help-article permission names (greenhouse-textus-help-article.txt) -> v1 routes.
V1_PERMISSIONS = ("activity_feed", "candidates_list", "candidates_retrieve",
                  "candidates_add_note", "users_retrieve", "users_list")
V3_SCOPES = ("harvest:users:list", "harvest:candidates:list", "harvest:notes:create",
             "harvest:notes:list", "harvest:applications:list", "harvest:jobs:list")
# https://developers.greenhouse.io/harvest.html#post-add-note
VISIBILITIES = ("admin_only", "private", "public")
V3_READ_VISIBILITY = {"public": "publicly_visible", "private": "privately_visible",
                      "admin_only": "admin_only_visible"}   # v3 reads (third-party client)
V3_CREATABLE_TYPES = ("NOTE", "ACTIVITY")     # NOTE/ACTIVITY/EMAIL are creatable; see below


def _b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def err(status, message, errors=None, headers=None):
    body = {"message": message}
    if errors is not None:
        body["errors"] = errors
    return Response(status, body, content_type=JSON_CTYPE, headers=headers)


def v1_validation(errors):
    # https://developers.greenhouse.io/harvest.html#validation: {"message":"Validation
    # error","errors":[{"message":..,"field":..}]}
    return err(422, "Validation error", [{"message": m, "field": f} for f, m in errors])


def v3_validation(errors):
    # v3 errors (not documented; a third-party client's live probes):
    # {"message": "...", "errors": ["text" | {"field": "msg"}]}
    return err(422, "Validation error", [{f: m} for f, m in errors])


def int_or_none(v):
    """int, or a numeric string (v1 doc example sends "158108"), else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str) and re.fullmatch(r"\d+", v.strip()):
        return int(v.strip())
    return None


class GreenhouseStore:
    """State of one fake Greenhouse tenant."""

    def __init__(self):
        self.users = {}            # id -> user dict (v1 field names)
        self.candidates = {}       # id -> candidate dict (v1 field names)
        self.jobs = {}             # id -> {"id", "name", "status"}
        self.feed = {}             # candidate id -> {"emails": [], "activities": []}
        self.notes = []            # note dicts (canonical visibility spelling)
        self.api_keys = {}         # key -> {"name", "permissions"}
        self.clients = {}          # client_id -> {"name","secret","old_secrets","scopes",...}
        self.tokens = {}           # access token -> {"label","client","sub","exp","scopes"}
        self.token_requests = 0
        self.tokens_issued = 0
        self.next_note_id = 1000001
        self.next_feed_id = 5000001

    def seed(self, data):
        data = data or {}
        for key, info in (data.get("api_keys") or {}).items():
            info = dict(info)
            info.setdefault("name", "key%d" % (len(self.api_keys) + 1))
            info.setdefault("permissions", list(V1_PERMISSIONS))
            self.api_keys[key] = info
        for cid, info in (data.get("oauth_clients") or {}).items():
            info = dict(info)
            info.setdefault("name", "client%d" % (len(self.clients) + 1))
            info.setdefault("old_secrets", [])
            info.setdefault("scopes", list(V3_SCOPES))
            # https://harvestdocs.greenhouse.io/docs/authentication: without `sub` the calls act as
            # the credential's Integration Service User, hidden from GET /v3/users unless
            # show_service_accounts=true.
            # Inference: that service user counts as a Site Admin unless the seed says not.
            info.setdefault("service_user_id", 900000 + len(self.clients) + 1)
            info.setdefault("service_user_site_admin", True)
            self.clients[cid] = info
            sid = info["service_user_id"]
            if sid not in self.users:
                self._add_user({"id": sid, "first_name": "Integration", "last_name":
                                "Service User", "site_admin": info["service_user_site_admin"],
                                "primary_email_address": "service-user-%d@fake.invalid" % sid,
                                "service_account": True})
        for u in data.get("users") or []:
            self._add_user(u)
        for j in data.get("jobs") or []:
            # https://developers.greenhouse.io/harvest.html#the-job-object (id, name, status)
            self.jobs[int(j["id"])] = {"id": int(j["id"]), "name": j["name"],
                                       "status": j.get("status", "open"),
                                       "confidential": bool(j.get("confidential", False))}
        for c in data.get("candidates") or []:
            self._add_candidate(c)
        for cid, feed in (data.get("activity_feed") or {}).items():
            cid = int(cid)
            f = self.feed.setdefault(cid, {"emails": [], "activities": []})
            for kind in ("emails", "activities"):
                for item in feed.get(kind) or []:
                    item = dict(item)
                    item.setdefault("id", self._feed_id())
                    item.setdefault("created_at", utc_iso())
                    item.setdefault("user", None)
                    f[kind].append(item)
            for n in feed.get("notes") or []:
                self.add_note(cid, int(n.get("user_id") or n.get("user", {}).get("id") or 0)
                              or None, n["body"], n.get("visibility", "public"),
                              via="seed", created_at=n.get("created_at"))

    def _feed_id(self):
        self.next_feed_id += 1
        return self.next_feed_id

    def _add_user(self, u):
        u = dict(u)
        uid = int(u["id"])
        now = utc_iso()
        first, last = u.get("first_name", "User"), u.get("last_name", str(uid))
        primary = u.get("primary_email_address") or u.get("email") or "user%d@fake.invalid" % uid
        emails = list(u.get("emails") or [])
        if primary not in emails:
            # https://developers.greenhouse.io/harvest.html#users: primary is always in emails
            emails.insert(0, primary)
        out = {"id": uid, "name": u.get("name") or ("%s %s" % (first, last)).strip(),
               "first_name": first, "last_name": last, "primary_email_address": primary,
               "updated_at": u.get("updated_at", now), "created_at": u.get("created_at", now),
               "disabled": bool(u.get("disabled", False)),
               "site_admin": bool(u.get("site_admin", False)), "emails": emails,
               "employee_id": u.get("employee_id"),
               "linked_candidate_ids": u.get("linked_candidate_ids", []),
               "offices": u.get("offices", []), "departments": u.get("departments", []),
               "service_account": bool(u.get("service_account", False))}
        self.users[uid] = out

    def _add_candidate(self, c):
        c = dict(c)
        cid = int(c["id"])
        now = utc_iso()
        out = {"id": cid, "first_name": c.get("first_name", "Cand"),
               "last_name": c.get("last_name", str(cid)), "company": c.get("company"),
               "title": c.get("title"), "created_at": c.get("created_at", now),
               "updated_at": c.get("updated_at", now), "last_activity": c.get("last_activity", now),
               "is_private": bool(c.get("is_private", False)),
               "photo_url": None, "attachments": [],
               "application_ids": [int(a["id"]) for a in c.get("applications", [])],
               "applications": [self._application(cid, a) for a in c.get("applications", [])],
               # https://developers.greenhouse.io/harvest.html#candidates: phone_numbers [{value,
               # type}], free text
               "phone_numbers": c.get("phone_numbers", []),
               "email_addresses": c.get("email_addresses", []),
               "addresses": c.get("addresses", []),
               "website_addresses": c.get("website_addresses", []),
               "social_media_addresses": c.get("social_media_addresses", []),
               "recruiter": c.get("recruiter"), "coordinator": c.get("coordinator"),
               "can_email": c.get("can_email", True), "tags": c.get("tags", []),
               "custom_fields": c.get("custom_fields", {}),
               "keyed_custom_fields": c.get("keyed_custom_fields", {}),
               "linked_user_ids": c.get("linked_user_ids", [])}
        self.candidates[cid] = out
        self.feed.setdefault(cid, {"emails": [], "activities": []})

    def _application(self, cid, a):
        """Seed {id, job_id?, stage?, status?} -> the v1 application object
        (https://developers.greenhouse.io/harvest.html#the-application-object: jobs [{id,
        name}], empty for a prospect; current_stage {id, name} or null)."""
        job = self.jobs.get(int(a["job_id"])) if a.get("job_id") else None
        stage = a.get("stage")
        return {"id": int(a["id"]), "candidate_id": cid, "prospect": job is None,
                "status": a.get("status", "active"),
                "jobs": [{"id": job["id"], "name": job["name"]}] if job else [],
                "current_stage": ({"id": int(a.get("stage_id", 7000 + int(a["id"]) % 1000)),
                                   "name": stage} if stage else None)}

    def add_note(self, candidate_id, user_id, body, visibility, via, on_behalf_of=None,
                 note_type="NOTE", application_id=None, created_at=None, sub=None):
        self.next_note_id += 1
        now = created_at or utc_iso()
        n = {"id": self.next_note_id, "candidate_id": candidate_id, "user_id": user_id,
             "body": body, "visibility": visibility, "via": via, "on_behalf_of": on_behalf_of,
             "sub": sub,
             "type": note_type, "application_id": application_id, "created_at": now,
             "updated_at": now}
        self.notes.append(n)
        return n

    def user_stub(self, uid):
        u = self.users.get(uid)
        if u is None:
            return None
        return {"id": u["id"], "first_name": u["first_name"], "last_name": u["last_name"],
                "name": u["name"], "employee_id": u["employee_id"]}

    def secrets(self):
        out = list(self.api_keys.keys()) + list(self.tokens.keys())
        for c in self.clients.values():
            out.append(c.get("secret") or "")
            out.extend(c.get("old_secrets") or [])
        return out

    def state(self):
        return {"users": list(self.users.values()),
                "candidates": list(self.candidates.values()),
                "notes": list(self.notes),
                "api_keys": [{"name": k["name"], "permissions": k["permissions"]}
                             for k in self.api_keys.values()],
                "oauth_clients": [{"name": c["name"], "scopes": c["scopes"],
                                   "service_user_id": c["service_user_id"]}
                                  for c in self.clients.values()],
                "token_requests": self.token_requests,
                "tokens_issued": self.tokens_issued,
                "tokens": [{"label": t["label"], "client": t["client"], "sub": t["sub"],
                            "expires_at": utc_iso(t["exp"]), "expired": t["exp"] <= time.time()}
                           for t in self.tokens.values()]}

    def issue_token(self, client_name, sub, scopes, lifetime, kind="oauth"):
        self.tokens_issued += 1
        now = int(time.time())
        header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        payload = _b64url(json.dumps({"iss": "fake-auth", "sub": sub, "aud": "harvest",
                                      "iat": now, "exp": now + lifetime,
                                      "jti": self.tokens_issued}).encode())
        token = "%s.%s.%s" % (header, payload, _b64url(os.urandom(24)))
        self.tokens[token] = {"label": "%s#%d" % (kind, self.tokens_issued), "client": client_name,
                              "sub": sub, "exp": now + lifetime, "scopes": list(scopes)}
        return token

    def expire_tokens(self):
        for t in self.tokens.values():
            t["exp"] = 0

    def describe_basic_key(self, value):
        b = parse_basic(value)
        if b is None:
            return "Basic (malformed)"
        user, pw = b
        k = self.api_keys.get(user)
        if k is None:
            return "Basic key:<unrecognised> (invalid)"
        if pw:
            return "Basic key:%s (non-blank password; invalid)" % k["name"]
        return "Basic key:%s (valid)" % k["name"]

    def describe_bearer(self, value):
        tok = parse_bearer(value)
        t = self.tokens.get(tok) if tok else None
        if t is None:
            return "Bearer <unrecognised token> (invalid)"
        return "Bearer %s (%s)" % (t["label"], "valid" if t["exp"] > time.time() else "expired")


class HarvestFake:
    """Listener for harvest.greenhouse.io: /v1/..., /v3/... and the transition /auth/token."""

    name = "harvest"
    error_content_type = JSON_CTYPE

    def __init__(self, config, limiter, store):
        self.config = config
        self.limiter = limiter
        self.store = store

    def current_limit(self):
        return self.config["harvest_v1_rate_limit"]

    def describe_auth(self, value):
        if value is None:
            return None
        s = (auth_scheme(value) or "").lower()
        if s == "basic":
            return self.store.describe_basic_key(value)
        if s == "bearer":
            return self.store.describe_bearer(value)
        return "%s (unsupported scheme; invalid)" % (auth_scheme(value) or "?")

    def handle(self, req):
        if req.path == "/v1" or req.path.startswith("/v1/") or req.path == "/auth/token":
            if self.config["v1_retired"]:
                # https://github.com/grnhse/greenhouse-api-docs/pull/589: v1/v2 (and the
                # transition endpoint) scheduled for removal on 2026-08-31. What the
                # removed routes answer is undocumented. Inference: 404 (knob v1_retired_status
                # may set 410 Gone).
                return err(int(self.config["v1_retired_status"]),
                           "Harvest v1/v2 has been removed. Please migrate to Harvest v3.")
            if req.path == "/auth/token":
                return self.transition_token(req)
            return self.v1(req)
        if req.path == "/v3" or req.path.startswith("/v3/"):
            return self.v3(req)
        return err(404, "Resource not found")

    # ================================================================== v1
    def _v1_key(self, req):
        b = parse_basic(req.header("authorization"))
        if b is None:
            return None
        k = self.store.api_keys.get(b[0])
        # https://developers.greenhouse.io/harvest.html#authentication: blank password
        if k is None or b[1] != "":
            return None
        return k

    def v1(self, req):
        key = self._v1_key(req)
        # https://developers.greenhouse.io/harvest.html#rate-limiting: X-RateLimit-Limit per 10 s
        # (doc example 50), X-RateLimit-Remaining;
        # on 429 X-RateLimit-Reset + Retry-After.
        rl_key = ("harvest-v1", "key", key["name"]) if key else ("harvest-v1", "ip", req.client_ip)
        ok, limit, remaining, reset, retry_after = self.limiter.hit(
            rl_key, self.config["harvest_v1_rate_limit"], self.config["harvest_v1_rate_window"])
        if not ok:
            resp = err(429, "Rate limit exceeded")
            resp.set_header("Retry-After", retry_after)
            resp.set_header("X-RateLimit-Reset", reset)
        else:
            resp = self._v1_inner(req, key)
        resp.set_header("X-RateLimit-Limit", limit)
        resp.set_header("X-RateLimit-Remaining", remaining)
        return resp

    def _v1_inner(self, req, key):
        if self.config["v1_enforce_https"] and req.scheme != "https":
            # https://developers.greenhouse.io/harvest.html#authentication: "Requests made over
            # HTTP will always return an HTTP 403"
            return err(403, "HTTPS is required")
        if key is None:
            # https://developers.greenhouse.io/harvest.html#authentication: Basic auth, key as
            # username, blank password; else 401
            resp = err(401, "Invalid Basic Auth credentials")
            resp.set_header("WWW-Authenticate", 'Basic realm="Harvest"')
            return resp
        if req.method == "GET" and req.body and self.config["v1_forbid_get_body"]:
            # https://developers.greenhouse.io/harvest.html#errors: 403 "ensure that you're not
            # supplying body information in your GET calls"
            return err(403, "Request bodies are not allowed on GET requests")
        p = req.path.rstrip("/")
        routes = [
            # https://developers.greenhouse.io/harvest.html#get-list-users
            (r"/v1/users", "GET", "users_list", self.v1_list_users),
            # https://developers.greenhouse.io/harvest.html#get-retrieve-user
            (r"/v1/users/(\d+)", "GET", "users_retrieve", self.v1_get_user),
            # https://developers.greenhouse.io/harvest.html#get-list-candidates
            (r"/v1/candidates", "GET", "candidates_list", self.v1_list_candidates),
            # https://developers.greenhouse.io/harvest.html#get-retrieve-candidate
            (r"/v1/candidates/(\d+)", "GET", "candidates_retrieve", self.v1_get_candidate),
            # https://developers.greenhouse.io/harvest.html#get-retrieve-activity-feed
            (r"/v1/candidates/(\d+)/activity_feed", "GET", "activity_feed", self.v1_feed),
            # https://developers.greenhouse.io/harvest.html#post-add-note
            (r"/v1/candidates/(\d+)/activity_feed/notes", "POST", "candidates_add_note",
             self.v1_add_note),
        ]
        path_matched = False
        for pattern, method, perm, fn in routes:
            m = re.fullmatch(pattern, p)
            if not m:
                continue
            path_matched = True
            if method != req.method:
                continue
            perms = key["permissions"]
            if perm not in perms and "*" not in perms:
                # https://developers.greenhouse.io/harvest.html#authentication: keys are granted
                # per-endpoint permissions, all-or-nothing; #errors: 401 "Ensure you're using a
                # valid Harvest API key with the correct permissions" (403 is "You don't have
                # access to that record"). Knob v1_missing_permission_status (a third-party
                # report says 403).
                return err(int(self.config["v1_missing_permission_status"]),
                           "This API key does not have permission for this endpoint "
                           "(requires %s)" % perm)
            return fn(req, *m.groups())
        if path_matched:
            return err(405, "Method not allowed")     # Inference: undocumented
        return err(404, "Resource not found")

    def _v1_pagination(self, req, items):
        """https://developers.greenhouse.io/harvest.html#pagination: per_page 1..500 (default
        100), page, skip_count=true drops `last`;
        RFC-5988 Link with rel next/prev/last; no Link when there is a single page.
        Inference: an out-of-range per_page/page is a 422 validation error."""
        errors = []
        per_page = int_or_none(req.query.get("per_page", "100"))
        if per_page is None or not 1 <= per_page <= 500:
            errors.append(("per_page", "Must be an integer between 1 and 500"))
        page = int_or_none(req.query.get("page", "1"))
        if page is None or page < 1:
            errors.append(("page", "Must be a positive integer"))
        if errors:
            return None, None, v1_validation(errors)
        total = len(items)
        last = max(1, -(-total // per_page))
        chunk = items[(page - 1) * per_page: page * per_page]
        links = []
        others = [(k, v) for k, v in req.query_list if k not in ("page", "per_page")]

        def url(pg):
            q = urllib.parse.urlencode([("page", pg), ("per_page", per_page)] + others)
            return "%s%s?%s" % (req.base_url(), req.path, q)

        if page < last:
            links.append('<%s>; rel="next"' % url(page + 1))
        if page > 1:
            links.append('<%s>; rel="prev"' % url(page - 1))
        if last > 1 and req.query.get("skip_count") != "true":
            links.append('<%s>; rel="last"' % url(last))
        return chunk, (", ".join(links) if links else None), None

    def _v1_list(self, req, items):
        chunk, link, e = self._v1_pagination(req, items)
        if e:
            return e
        resp = Response(200, chunk, content_type=JSON_CTYPE)
        if link:
            resp.set_header("Link", link)
        return resp

    def _v1_user(self, u):
        return {k: v for k, v in u.items() if k != "service_account"}

    def v1_list_users(self, req):
        # https://developers.greenhouse.io/harvest.html#get-list-users: ?email= matches a
        # primary or secondary email
        users = [u for u in self.store.users.values() if not u["service_account"]]
        if "email" in req.query:
            e = req.query["email"].strip().lower()
            users = [u for u in users if e in [x.lower() for x in u["emails"]]]
        if "employee_id" in req.query:
            users = [u for u in users if str(u["employee_id"]) == req.query["employee_id"]]
        users.sort(key=lambda u: u["id"])
        return self._v1_list(req, [self._v1_user(u) for u in users])

    def v1_get_user(self, req, uid):
        # https://developers.greenhouse.io/harvest.html#get-retrieve-user
        u = self.store.users.get(int(uid))
        if u is None or u["service_account"]:
            return err(404, "Resource not found")
        return Response(200, self._v1_user(u), content_type=JSON_CTYPE)

    def v1_list_candidates(self, req):
        # https://developers.greenhouse.io/harvest.html#get-list-candidates: candidate_ids
        # comma-separated, max 50; email wins
        cands = sorted(self.store.candidates.values(), key=lambda c: c["id"])
        if "email" in req.query:
            e = req.query["email"].strip().lower()
            cands = [c for c in cands
                     if e in [str(a.get("value", "")).lower() for a in c["email_addresses"]]]
        elif "candidate_ids" in req.query:
            raw = [x.strip() for x in req.query["candidate_ids"].split(",") if x.strip()]
            if not all(re.fullmatch(r"\d+", x) for x in raw):
                return v1_validation([("candidate_ids", "Must be a comma-separated list of "
                                                        "integers")])
            if len(raw) > 50:
                # "A maximum of 50 candidates can be returned this way."
                # Inference: more than 50 ids is a 422 rather than a silent truncation.
                return v1_validation([("candidate_ids", "A maximum of 50 candidate ids may be "
                                                        "requested")])
            wanted = {int(x) for x in raw}
            cands = [c for c in cands if c["id"] in wanted]
        return self._v1_list(req, cands)

    def v1_get_candidate(self, req, cid):
        # https://developers.greenhouse.io/harvest.html#get-retrieve-candidate
        c = self.store.candidates.get(int(cid))
        if c is None:
            return err(404, "Resource not found")
        return Response(200, c, content_type=JSON_CTYPE)

    def _v1_note(self, n):
        # https://developers.greenhouse.io/harvest.html#post-add-note response, including the
        # legacy `visiblity` typo
        return {"id": n["id"], "created_at": n["created_at"], "body": n["body"],
                "user": self.store.user_stub(n["user_id"]),
                "private": n["visibility"] == "private",
                "visiblity": n["visibility"], "visibility": n["visibility"]}

    def v1_feed(self, req, cid):
        # https://developers.greenhouse.io/harvest.html#get-retrieve-activity-feed: one object
        # {notes, emails, activities}, not paginated
        cid = int(cid)
        if cid not in self.store.candidates:
            return err(404, "Resource not found")
        f = self.store.feed.get(cid, {"emails": [], "activities": []})
        notes = [self._v1_note(n) for n in self.store.notes
                 if n["candidate_id"] == cid and n["type"] == "NOTE"]
        notes.sort(key=lambda n: n["created_at"], reverse=True)
        return Response(200, {"notes": notes, "emails": f["emails"],
                              "activities": f["activities"]}, content_type=JSON_CTYPE)

    def v1_add_note(self, req, cid):
        # https://developers.greenhouse.io/harvest.html#post-add-note: On-Behalf-Of ("ID of the
        # user issuing this request. Required for auditing purposes"). Choice (README):
        #   missing / non-numeric header -> 403 (a third-party report);
        #   numeric but not an existing, enabled user -> 422 Validation error, field On-Behalf-Of.
        obo_raw = req.header("on-behalf-of")
        if obo_raw is None or not obo_raw.strip():
            return err(403, "Missing header field: On-Behalf-Of")
        obo = int_or_none(obo_raw)
        if obo is None:
            return err(403, "Invalid On-Behalf-Of header: must be a Greenhouse user id")
        ou = self.store.users.get(obo)
        if ou is None or ou["disabled"]:
            return v1_validation([("On-Behalf-Of", "User %d does not exist or is disabled"
                                   % obo)])
        cid = int(cid)
        if cid not in self.store.candidates:
            return err(404, "Resource not found")
        try:
            data = req.json()
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            # Inference: undocumented; a body that is not a JSON object is a 400.
            return err(400, "Invalid JSON payload")
        errors = []
        uid = int_or_none(data.get("user_id"))       # integer; the doc's example sends a string
        if data.get("user_id") is None:
            errors.append(("user_id", "Is required"))
        elif uid is None:
            errors.append(("user_id", "Must be an integer"))
        elif uid not in self.store.users or self.store.users[uid]["disabled"]:
            errors.append(("user_id", "User does not exist or is disabled"))
        body = data.get("body")
        if not isinstance(body, str) or not body.strip():
            errors.append(("body", "Must be a non-empty string"))
        vis = data.get("visibility")
        if vis not in VISIBILITIES:
            errors.append(("visibility", "Must be one of: admin_only, private, public"))
        if errors:
            return v1_validation(errors)
        n = self.store.add_note(cid, uid, body, vis, via="v1", on_behalf_of=obo)
        # The success code is not documented (200 vs 201). Knob v1_note_status, default 201.
        return Response(int(self.config["v1_note_status"]), self._v1_note(n),
                        content_type=JSON_CTYPE)

    def transition_token(self, req):
        # https://harvestdocs.greenhouse.io/docs/authentication ("Transition period: v1/v2 to v3"):
        # POST /auth/token, Basic <API_KEY>:, JSON {"sub": id};
        # response uses `expires` (a string) instead of expires_in.
        if req.method != "POST":
            return err(405, "Method not allowed")
        key = self._v1_key(req)
        if key is None:
            return err(401, "Unauthorized", ["Invalid Harvest API key"])
        try:
            data = req.json() if req.body else {}
        except (ValueError, UnicodeDecodeError):
            return err(400, "Invalid JSON payload")
        sub = data.get("sub") if isinstance(data, dict) else None
        sub_id = int_or_none(sub) if sub is not None else None
        if sub is not None and (sub_id is None or sub_id not in self.store.users):
            return err(422, "Validation error", [{"sub": "must be an existing user id"}])
        lifetime = int(self.config["auth_token_expires_in"])
        self.store.token_requests += 1
        tok = self.store.issue_token("key:" + key["name"], sub_id, V3_SCOPES, lifetime,
                                     kind="transition")
        return Response(200, {"access_token": tok, "token_type": "Bearer",
                              "expires": utc_iso(time.time() + lifetime)},
                        content_type=JSON_CTYPE)

    # ================================================================== v3
    def v3(self, req):
        tok = parse_bearer(req.header("authorization"))
        t = self.store.tokens.get(tok) if tok else None
        valid = t is not None and t["exp"] > time.time()
        # https://harvestdocs.greenhouse.io/docs/api-rate-limiting (text not consulted; a
        # third-party client): a fixed 30 s window; X-RateLimit-* on every response incl.
        # errors; 429 + Retry-After. Keyed by OAuth client (per IP when unauthenticated).
        rl_key = ("harvest-v3", "client", t["client"]) if valid else \
            ("harvest-v3", "ip", req.client_ip)
        ok, limit, remaining, reset, retry_after = self.limiter.hit(
            rl_key, self.config["harvest_v3_rate_limit"], self.config["harvest_v3_rate_window"])
        if not ok:
            resp = err(429, "Too Many Requests", ["Rate limit exceeded"])
            resp.set_header("Retry-After", retry_after)
        else:
            resp = self._v3_inner(req, t, valid)
        resp.set_header("X-RateLimit-Limit", limit)
        resp.set_header("X-RateLimit-Remaining", remaining)
        resp.set_header("X-RateLimit-Reset", reset)
        return resp

    def _v3_inner(self, req, t, valid):
        p = req.path.rstrip("/")
        routes = {
            # https://harvestdocs.greenhouse.io/reference/get_v3-users
            ("/v3/users", "GET"): ("harvest:users:list", self.v3_list_users),
            # https://harvestdocs.greenhouse.io/docs/step-by-step-migration-instructions
            ("/v3/candidates", "GET"): ("harvest:candidates:list", self.v3_list_candidates),
            # https://harvestdocs.greenhouse.io/docs/step-by-step-migration-instructions
            ("/v3/notes", "GET"): ("harvest:notes:list", self.v3_list_notes),
            # https://harvestdocs.greenhouse.io/docs/write-endpoint-migration-guide
            ("/v3/notes", "POST"): ("harvest:notes:create", self.v3_create_note),
            # https://harvestdocs.greenhouse.io/reference/get_v3-applications
            ("/v3/applications", "GET"): ("harvest:applications:list", self.v3_list_applications),
            # https://harvestdocs.greenhouse.io/reference/get_v3-jobs
            ("/v3/jobs", "GET"): ("harvest:jobs:list", self.v3_list_jobs),
        }
        known_paths = {path for path, _ in routes}
        # Not documented (a third-party client's probes): v3 routes before it authenticates,
        # so an unknown path gives 404, not 401
        if p not in known_paths:
            return err(404, "Not Found", ["No route matches %s %s" % (req.method, req.path)])
        if (p, req.method) not in routes:
            return err(405, "Method Not Allowed")           # Inference: undocumented
        if t is None:
            # 401 {"message":"Unauthorized","errors":["Token could not be decoded. …"]}
            return err(401, "Unauthorized", ["Token could not be decoded. Make sure the "
                                             "Authorization header is 'Bearer <access token>'."])
        if not valid:
            return err(401, "Unauthorized", ["Token has expired. Request a new access token."])
        scope, fn = routes[(p, req.method)]
        if scope not in t["scopes"]:
            # https://harvestdocs.greenhouse.io/docs/authentication: scopes
            # harvest:<resource>:<action> on the credential.
            # Inference: a missing scope is a 403.
            return err(403, "Forbidden", ["Missing required scope: %s" % scope])
        if req.method == "GET" and self.config["v3_require_site_admin"]:
            # https://harvestdocs.greenhouse.io/docs/authentication ("About sub"): "Use a user
            # with the permissions your integration needs", its example: list endpoints need a
            # Site Admin; "every v3 GET" is a third-party client's reading;
            # knob v3_require_site_admin=false disables this rule.
            sub_user = self.store.users.get(self._acting_user_id(t))
            if sub_user is None or not sub_user["site_admin"]:
                return err(403, "Forbidden", ["The token's subject must be a Site Admin for "
                                              "GET requests"])
        return fn(req, t)

    def _acting_user_id(self, t):
        if t["sub"] is not None:
            return t["sub"]
        for c in self.store.clients.values():
            if c["name"] == t["client"]:
                return c["service_user_id"]
        return None

    def _v3_page(self, req, endpoint, filter_keys, select):
        """https://harvestdocs.greenhouse.io/docs/pagination: Link <...?cursor=X>; rel="next"
        only; a cursor must be the
        only query parameter (else 422); per_page on the first request only, max 500,
        default 100. select(filters) -> (items, error_response)."""
        if "cursor" in req.query:
            if len(req.query_list) != 1:
                others = sorted({k for k, _ in req.query_list if k != "cursor"})
                return v3_validation([("cursor", "cursor must be the only query parameter "
                                                 "(also got: %s)" % ", ".join(others))])
            try:
                cur = json.loads(_b64url_decode(req.query["cursor"]).decode("utf-8"))
                if cur["e"] != endpoint:
                    raise ValueError("cursor for another endpoint")
                filters, offset, per_page = cur["f"], int(cur["o"]), int(cur["n"])
            except (ValueError, KeyError, TypeError, UnicodeDecodeError):
                return v3_validation([("cursor", "is invalid")])
        else:
            filters = {k: v for k, v in req.query.items() if k in filter_keys}
            offset = 0
            per_page = int_or_none(req.query.get("per_page", str(self.config["v3_default_per_page"])))
            if per_page is None or not 1 <= per_page <= 500:
                return v3_validation([("per_page", "must be an integer between 1 and 500")])
        items, e = select(filters)
        if e:
            return e
        chunk = items[offset: offset + per_page]
        resp = Response(200, chunk, content_type=JSON_CTYPE)   # bare JSON arrays
        if offset + per_page < len(items):
            cursor = _b64url(json.dumps({"e": endpoint, "f": filters, "o": offset + per_page,
                                         "n": per_page}, separators=(",", ":")).encode())
            resp.set_header("Link", '<%s%s?cursor=%s>; rel="next"' % (req.base_url(), endpoint,
                                                                      cursor))
        return resp

    @staticmethod
    def _ids(raw, field):
        vals = [x.strip() for x in raw.split(",") if x.strip()]
        if not all(re.fullmatch(r"\d+", x) for x in vals):
            return None, v3_validation([(field, "must be a comma-separated list of integers")])
        if len(vals) > 50:
            # https://harvestdocs.greenhouse.io/docs/list-endpoints: at most 50 ids
            return None, v3_validation([(field, "at most 50 ids may be given")])
        return {int(x) for x in vals}, None

    def _v3_user(self, u):
        return {"id": u["id"], "name": u["name"], "first_name": u["first_name"],
                "last_name": u["last_name"], "primary_email": u["primary_email_address"],
                "emails": u["emails"], "employee_id": u["employee_id"],
                "deactivated": u["disabled"], "site_admin": u["site_admin"],
                "created_at": u["created_at"], "updated_at": u["updated_at"]}

    def v3_list_users(self, req, t):
        # https://harvestdocs.greenhouse.io/reference/get_v3-users: ?primary_email= (exact
        # match on the sign-in address),
        # employee_ids, deactivated, show_service_accounts. Inference: email compare ignores case.
        def select(f):
            users = sorted(self.store.users.values(), key=lambda u: u["id"])
            if f.get("show_service_accounts") != "true":
                users = [u for u in users if not u["service_account"]]
            if "primary_email" in f:
                e = f["primary_email"].strip().lower()
                users = [u for u in users if u["primary_email_address"].lower() == e]
            if "ids" in f:
                ids, e = self._ids(f["ids"], "ids")
                if e:
                    return None, e
                users = [u for u in users if u["id"] in ids]
            if "employee_ids" in f:
                want = {x.strip() for x in f["employee_ids"].split(",")}
                users = [u for u in users if str(u["employee_id"]) in want]
            if "deactivated" in f:
                want = f["deactivated"] == "true"
                users = [u for u in users if u["disabled"] == want]
            return [self._v3_user(u) for u in users], None
        return self._v3_page(req, "/v3/users", ("primary_email", "ids", "employee_ids",
                                                "deactivated", "show_service_accounts"), select)

    def v3_list_candidates(self, req, t):
        # https://harvestdocs.greenhouse.io/docs/step-by-step-migration-instructions:
        # GET /v3/candidates?ids= (max 50); email matches any candidate address
        def select(f):
            cands = sorted(self.store.candidates.values(), key=lambda c: c["id"])
            if "ids" in f:
                ids, e = self._ids(f["ids"], "ids")
                if e:
                    return None, e
                cands = [c for c in cands if c["id"] in ids]
            if "email" in f:
                e = f["email"].strip().lower()
                cands = [c for c in cands
                         if e in [str(a.get("value", "")).lower() for a in c["email_addresses"]]]
            # Inference: v3 candidates do not embed v1's applications (the v3 reference lists
            # them as a resource of their own, GET /v3/applications)
            return [{k: v for k, v in c.items() if k != "applications"} for c in cands], None
        return self._v3_page(req, "/v3/candidates", ("ids", "email"), select)

    def v3_list_applications(self, req, t):
        # https://harvestdocs.greenhouse.io/reference/get_v3-applications: candidate_ids, job_ids,
        # status; fields candidate_id, job_id, stage_id, stage_name, status, prospect
        def select(f):
            apps = [a for c in sorted(self.store.candidates.values(), key=lambda c: c["id"])
                    for a in c["applications"]]
            for key, field in (("candidate_ids", "candidate_id"), ("ids", "id")):
                if key in f:
                    ids, e = self._ids(f[key], key)
                    if e:
                        return None, e
                    apps = [a for a in apps if a[field] in ids]
            if "job_ids" in f:
                ids, e = self._ids(f["job_ids"], "job_ids")
                if e:
                    return None, e
                apps = [a for a in apps if a["jobs"] and a["jobs"][0]["id"] in ids]
            if "status" in f:
                apps = [a for a in apps if a["status"] == f["status"]]
            return [{"id": a["id"], "candidate_id": a["candidate_id"],
                     "job_id": a["jobs"][0]["id"] if a["jobs"] else None,
                     "stage_id": a["current_stage"]["id"] if a["current_stage"] else None,
                     "stage_name": a["current_stage"]["name"] if a["current_stage"] else None,
                     "status": a["status"], "prospect": a["prospect"]} for a in apps], None
        return self._v3_page(req, "/v3/applications", ("candidate_ids", "ids", "job_ids",
                                                       "status"), select)

    def v3_list_jobs(self, req, t):
        # https://harvestdocs.greenhouse.io/reference/get_v3-jobs: ids, status; name
        def select(f):
            jobs = sorted(self.store.jobs.values(), key=lambda j: j["id"])
            if "ids" in f:
                ids, e = self._ids(f["ids"], "ids")
                if e:
                    return None, e
                jobs = [j for j in jobs if j["id"] in ids]
            if "status" in f:
                jobs = [j for j in jobs if j["status"] == f["status"]]
            return [dict(j) for j in jobs], None
        return self._v3_page(req, "/v3/jobs", ("ids", "status"), select)

    def _v3_note(self, n):
        # Reads return publicly_visible / privately_visible / admin_only_visible (a
        # third-party client checked against Greenhouse's OpenAPI document).
        # Inference: other field names (candidate_id, user_id, type) follow the create body.
        return {"id": n["id"], "candidate_id": n["candidate_id"],
                "application_id": n["application_id"], "user_id": n["user_id"],
                "body": n["body"], "type": n["type"],
                "visibility": V3_READ_VISIBILITY[n["visibility"]],
                "created_at": n["created_at"], "updated_at": n["updated_at"]}

    def v3_list_notes(self, req, t):
        # https://harvestdocs.greenhouse.io/docs/step-by-step-migration-instructions: GET
        # /v3/notes?candidate_ids=<id>
        def select(f):
            notes = list(self.store.notes)
            if "candidate_ids" in f:
                ids, e = self._ids(f["candidate_ids"], "candidate_ids")
                if e:
                    return None, e
                notes = [n for n in notes if n["candidate_id"] in ids]
            if "ids" in f:
                ids, e = self._ids(f["ids"], "ids")
                if e:
                    return None, e
                notes = [n for n in notes if n["id"] in ids]
            return [self._v3_note(n) for n in notes], None
        return self._v3_page(req, "/v3/notes", ("candidate_ids", "ids"), select)

    def v3_create_note(self, req, t):
        # https://harvestdocs.greenhouse.io/docs/write-endpoint-migration-guide: POST /v3/notes
        # JSON {candidate_id, body,
        # note_type: "NOTE",
        # visibility: public|private|admin_only, user_id?, application_id?}; user_id defaults
        # to the token's sub; read spellings (publicly_visible, ...) on create -> 422.
        if "json" not in (media_types(req.header("content-type")) or [""])[0]:
            # Inference: the endpoint takes JSON; other content types are a 415.
            return err(415, "Unsupported Media Type", ["Content-Type must be application/json"])
        try:
            data = req.json()
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            return err(400, "Bad Request", ["Body must be a JSON object"])
        errors = []
        cid = data.get("candidate_id")
        # Inference: v3 is typed by its OpenAPI document; ids must be JSON integers here.
        if not isinstance(cid, int) or isinstance(cid, bool):
            errors.append(("candidate_id", "is required and must be an integer"))
        elif cid not in self.store.candidates:
            # Inference: an unknown candidate in the body is a validation error (422).
            errors.append(("candidate_id", "candidate %d does not exist" % cid))
        body = data.get("body")
        if not isinstance(body, str) or not body.strip():
            errors.append(("body", "is required and must be a non-empty string"))
        nt = data.get("note_type")
        if nt not in V3_CREATABLE_TYPES:
            # NOTE, ACTIVITY and EMAIL are creatable. The fake accepts NOTE and
            # ACTIVITY only (EMAIL needs fields no page describes).
            errors.append(("note_type", "must be one of: NOTE, ACTIVITY"))
        vis = data.get("visibility")
        if vis in V3_READ_VISIBILITY.values():
            errors.append(("visibility", "'%s' is a read spelling; use public, private or "
                                         "admin_only" % vis))
        elif vis not in VISIBILITIES:
            errors.append(("visibility", "must be one of: public, private, admin_only"))
        uid = data.get("user_id")
        if uid is None:
            uid = self._acting_user_id(t)
        elif not isinstance(uid, int) or isinstance(uid, bool):
            errors.append(("user_id", "must be an integer"))
            uid = None
        if uid is not None and (uid not in self.store.users or self.store.users[uid]["disabled"]):
            errors.append(("user_id", "user %s does not exist or is deactivated" % uid))
        app_id = data.get("application_id")
        if app_id is not None and (not isinstance(app_id, int) or isinstance(app_id, bool)):
            errors.append(("application_id", "must be an integer"))
        if errors:
            return v3_validation(errors)
        # https://harvestdocs.greenhouse.io/docs/authentication: the token's `sub` is the user
        # the request acts as (v1's On-Behalf-Of); recorded as the note's "sub" (None: the
        # credential's integration service user).
        n = self.store.add_note(cid, uid, body, vis, via="v3", on_behalf_of=t["sub"],
                                note_type=nt, application_id=app_id, sub=t["sub"])
        return Response(201, self._v3_note(n), content_type=JSON_CTYPE)


class AuthFake:
    """Listener for auth.greenhouse.io: POST /token (OAuth 2.0 client credentials)."""

    name = "auth"
    error_content_type = JSON_CTYPE

    def __init__(self, config, limiter, store):
        self.config = config
        self.limiter = limiter
        self.store = store

    def current_limit(self):
        return self.config["auth_rate_limit"]

    def describe_auth(self, value):
        if value is None:
            return None
        b = parse_basic(value)
        if b is None:
            return "%s (malformed or not Basic; invalid)" % (auth_scheme(value) or "?")
        c = self.store.clients.get(b[0])
        if c is None:
            return "Basic client:<unrecognised> (invalid)"
        if b[1] == c.get("secret"):
            return "Basic client:%s (valid)" % c["name"]
        if b[1] in c["old_secrets"]:
            return "Basic client:%s (valid, rotated-out secret)" % c["name"]
        return "Basic client:%s (wrong secret)" % c["name"]

    def handle(self, req):
        # "token requests metered separately on a 60-second window" (a third-party client;
        # the limit is not documented;
        # knob auth_rate_limit).
        ok, limit, remaining, reset, retry_after = self.limiter.hit(
            ("auth", "ip", req.client_ip), self.config["auth_rate_limit"],
            self.config["auth_rate_window"])
        if not ok:
            resp = err(429, "Too Many Requests")
            resp.set_header("Retry-After", retry_after)
        else:
            resp = self._token(req)
        resp.set_header("X-RateLimit-Limit", limit)
        resp.set_header("X-RateLimit-Remaining", remaining)
        resp.set_header("X-RateLimit-Reset", reset)
        resp.set_header("Cache-Control", "no-store")
        return resp

    @staticmethod
    def _oauth_error(status, code, description):
        # Inference: the RFC 6749 section 5.2 error shape (token errors are not documented).
        return Response(status, {"error": code, "error_description": description},
                        content_type=JSON_CTYPE)

    def _token(self, req):
        # POST /token: https://harvestdocs.greenhouse.io/docs/authentication (client
        # credentials grant) and https://harvestdocs.greenhouse.io/reference/generate-token
        if req.path.rstrip("/") != "/token":
            return err(404, "Not Found")
        if req.method != "POST":
            return err(405, "Method Not Allowed")
        self.store.token_requests += 1
        # https://harvestdocs.greenhouse.io/docs/authentication: HTTP Basic CLIENT_ID:CLIENT_SECRET
        # (an old secret stays
        # valid for up to a week after rotation)
        b = parse_basic(req.header("authorization"))
        c = self.store.clients.get(b[0]) if b else None
        if c is None or not (b[1] == c.get("secret") or b[1] in c["old_secrets"]):
            resp = self._oauth_error(401, "invalid_client", "Client authentication failed")
            resp.set_header("WWW-Authenticate", 'Basic realm="greenhouse"')
            return resp
        # https://harvestdocs.greenhouse.io/docs/authentication: body
        # application/x-www-form-urlencoded
        if (media_types(req.header("content-type")) or [""])[0] != \
                "application/x-www-form-urlencoded":
            return self._oauth_error(400, "invalid_request",
                                     "Content-Type must be application/x-www-form-urlencoded")
        form = req.form()
        if form.get("grant_type") != "client_credentials":
            return self._oauth_error(400, "unsupported_grant_type",
                                     "grant_type must be client_credentials")
        sub = None
        if form.get("sub", "") != "":
            # https://harvestdocs.greenhouse.io/docs/authentication: sub = "a Greenhouse user_id to
            # identify the
            # authorizing user".
            # Inference: an unknown or deactivated user is refused with invalid_request.
            sub = int_or_none(form["sub"])
            u = self.store.users.get(sub) if sub is not None else None
            if u is None or u["disabled"]:
                return self._oauth_error(400, "invalid_request",
                                         "sub must be the id of an active user")
        lifetime = int(self.config["auth_token_expires_in"])
        tok = self.store.issue_token(c["name"], sub, c["scopes"], lifetime)
        style = self.config["auth_token_response_style"]
        body = {"access_token": tok, "token_type": "Bearer"}
        # https://harvestdocs.greenhouse.io/docs/authentication: expires_in (seconds, example
        # 3600); other clients
        # read expires_at (ISO) or expires (string): the knob lets client tests cover all three.
        if style == "expires_at":
            body["expires_at"] = utc_iso(time.time() + lifetime)
        elif style == "expires":
            body["expires"] = utc_iso(time.time() + lifetime)
        else:
            body["expires_in"] = lifetime
        return Response(200, body, content_type=JSON_CTYPE)
