"""Proves the several-server deployment started by scripts/cluster.sh, through real HTTP:
each claim of docs/deployment.md is one assertion below. Run by `scripts/cluster.sh test`
(and so by scripts/test.sh in CI); it reads the cluster's addresses from its environment.

Nothing here waits a fixed time for something to happen: every wait is for a condition (a
row in the database, a line in a log, an answer from a server), with a generous deadline.
"""

from __future__ import annotations

import http.cookiejar
import io
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import psycopg
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from core import id_numbers  # noqa: E402

CLUSTER = os.environ["PORTAL_CLUSTER"]
BALANCER = os.environ["BALANCER_URL"]
SERVER = {name: f"http://127.0.0.1:{os.environ[f'APP_{name.upper()}_PORT']}" for name in "ab"}
PRIMARY, REPLICA = os.environ["PRIMARY_URL"], os.environ["REPLICA_URL"]
PASSWORD = "Yibao@Demo2026"  # demo/data.py
DEADLINE = 120  # seconds: far beyond what any step takes on a busy 2-core machine


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie jar and the forms' hidden tokens, as a browser would keep them."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def request(self, url: str, data: dict | None = None, files: dict | None = None):
        headers = {}
        body = None
        if files:
            body, headers["Content-Type"] = _multipart(data or {}, files)
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            response = self.opener.open(urllib.request.Request(url, body, headers), timeout=60)
        except urllib.error.HTTPError as error:  # a redirect (not followed) or an error
            response = error
        return response.status, response.headers, response.read().decode("utf-8", "replace")

    def get(self, url: str):
        return self.request(url)

    def post_form(self, page_url: str, fields: dict, files: dict | None = None, to: str = ""):
        """GET the form (its CSRF and one-time tokens), then POST it."""
        status, _, page = self.get(page_url)
        assert status == 200, (page_url, status)
        tokens = dict(
            re.findall(r'name="(csrfmiddlewaretoken|_once|version)" value="([^"]*)"', page)
        )
        return self.request(to or page_url, {**tokens, **fields}, files)

    def login(self, base: str, username: str) -> None:
        status, _, _ = self.post_form(
            f"{base}/login/", {"username": username, "password": PASSWORD}
        )
        assert status == 302, f"login of {username} through {base}: {status}"


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = "portal-cluster-check"
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(f"{value}\r\n".encode())
    for name, (filename, content) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def sql(url: str, query: str, *params):
    with psycopg.connect(url, autocommit=True) as connection:
        return connection.execute(query, params).fetchall()


def until(what: str, condition) -> None:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > DEADLINE:
            raise AssertionError(f"{what}: not within {DEADLINE} s")
        time.sleep(0.2)


def cluster(*args: str) -> None:
    subprocess.run(["bash", str(ROOT / "scripts" / "cluster.sh"), *args], check=True)


def proved(claim: str) -> None:
    print(f"集群验证通过：{claim}", flush=True)


# 1. A session opened through A works through B ------------------------------------------
def session_travels() -> Browser:
    browser = Browser()
    browser.login(SERVER["a"], "guwei_jb")
    status, headers, page = browser.get(f"{SERVER['b']}/")
    assert status == 200 and "李秀梅" in page, status
    assert headers["X-Portal-Server"] == "b"
    proved("在 A 登录的会话，在 B 上同样有效")
    return browser


# 2. A change saved through A shows at once in a page served by B ------------------------
def no_stale_page(browser: Browser) -> None:
    case_list = "/reimbursement/"
    status, headers, before = browser.get(SERVER["b"] + case_list)  # kept in the cache now
    assert status == 200 and headers["X-Portal-Server"] == "b"
    [(resident_id,)] = sql(
        PRIMARY,
        "SELECT r.id_number FROM registry_resident r JOIN accounts_station s "
        "ON s.id = r.station_id WHERE s.name = '古魏镇医保站' ORDER BY r.id LIMIT 1",
    )
    hospital = f"集群测试医院{time.time_ns()}"
    status, headers, _ = browser.post_form(
        f"{SERVER['a']}/reimbursement/new/",
        {
            "id_number": resident_id,
            "kind": "inpatient",
            "hospital": hospital,
            "admission_date": "2026-10-08",
            "discharge_date": "2026-10-20",
            "total_cost": "1200.00",
            "birth": "",
        },
    )
    assert status == 302 and headers["X-Portal-Server"] == "a", status
    status, headers, after = browser.get(SERVER["b"] + case_list)
    assert headers["X-Portal-Server"] == "b"
    assert hospital not in before and hospital in after
    proved("经 A 保存的案件，B 提供的页面立即可见（共享缓存，无过期页面）")


# 3. Lists read from the replica; a user's own write shows on her next read --------------
def reads_from_the_replica() -> None:
    log = Path(CLUSTER) / "replica.log"

    def replica_reads() -> int:
        return log.read_text(errors="replace").count('FROM "registry_resident"')

    supervisor = Browser()
    supervisor.login(BALANCER, "county_sh")
    before = replica_reads()
    status, _, page = supervisor.get(f"{BALANCER}/registry/residents/")
    assert status == 200 and "参保人" in page
    until("the resident list's reads in the replica's log", lambda: replica_reads() > before)
    proved(f"参保人列表由只读副本提供（副本日志中的查询 {before} → {replica_reads()}）")

    # The replica stops replaying: whatever is written now, it cannot show.
    sql(REPLICA, "SELECT pg_wal_replay_pause()")
    until(
        "the replica's replay pausing",
        lambda: sql(REPLICA, "SELECT pg_get_wal_replay_pause_state()") == [("paused",)],
    )
    try:
        caseworker = Browser()
        caseworker.login(BALANCER, "guwei_jb")
        name = "副本" + "".join(chr(0x4E00 + int(d)) for d in str(time.time_ns())[-4:])
        # 临猗县 (140821): a prefix the demo data never uses, so no number can clash.
        n = time.time_ns() // 1000
        number = id_numbers.make(f"1408211991{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}")
        status, _, _ = caseworker.post_form(
            f"{BALANCER}/registry/residents/new/",
            {
                "id_number": number,
                "name": name,
                "ethnicity": "汉族",
                "phone": "13900001234",
                "address": "山西省运城市芮城县古魏镇",
                "insurance_type": "resident",
                "household_number": "",
                "relationship_to_head": "",
            },
        )
        assert status == 302, status
        search = {"q": name}
        status, _, _ = caseworker.post_form(f"{BALANCER}/registry/residents/", search)
        listed = f">{name}</a>"  # a row of the list (the search box repeats the name too)
        _, _, own = caseworker.get(f"{BALANCER}/registry/residents/")
        assert listed in own, "her own new resident is not on her next list"
        status, _, _ = supervisor.post_form(f"{BALANCER}/registry/residents/", search)
        _, _, other = supervisor.get(f"{BALANCER}/registry/residents/")
        assert listed not in other, "the colleague's list did not come from the replica"
    finally:
        sql(REPLICA, "SELECT pg_wal_replay_resume()")
    until(
        "the replica catching up",
        lambda: listed in supervisor.get(f"{BALANCER}/registry/residents/")[2],
    )
    proved("刚保存的人读主库、立即看到自己的修改；其他人的列表来自副本（暂停回放时看不到）")


# 4. An import started through A finishes when A's worker is killed -----------------------
def import_survives_its_worker() -> None:
    # A's worker is replaced by one that stops dead after the first batch of 500 rows
    # (tests/stall/cluster_settings.py); B's waits until then, so A's surely takes the job.
    cluster("worker", CLUSTER, "b", "stop")
    cluster("worker", CLUSTER, "a", "stop")
    os.environ["PORTAL_SETTINGS"] = "tests.stall.cluster_settings"
    cluster("worker", CLUSTER, "a", "start")
    del os.environ["PORTAL_SETTINGS"]

    rows = 1200
    sheet = Workbook()
    page = sheet.active
    page.append(["姓名", "身份证号码", "现住址"])
    base = time.time_ns() % 10**4
    for row in range(rows):
        birth = f"19{50 + row % 40:02d}{1 + row % 12:02d}{1 + row % 28:02d}"
        page.append(
            # 万荣县 (140822): not the demo data's, nor step 3's; (birth, sequence) unique.
            [f"导入{row}", id_numbers.make(f"140822{birth}{(base + row) % 1000:03d}"), "古魏镇"]
        )
    buffer = io.BytesIO()
    sheet.save(buffer)
    browser = Browser()
    browser.login(SERVER["a"], "guwei_jb")
    status, _, _ = browser.post_form(
        f"{SERVER['a']}/registry/imports/new/",
        {},
        files={"sheet": ("集群导入.xlsx", buffer.getvalue())},
    )
    assert status == 302, status
    [(job,)] = sql(PRIMARY, "SELECT max(id) FROM registry_residentimport")

    def imported() -> tuple[str, int]:
        [(state, count)] = sql(
            PRIMARY, "SELECT status, imported FROM registry_residentimport WHERE id = %s", job
        )
        return state, count

    until("A's worker importing the first batch", lambda: imported()[1] >= 500)
    cluster("worker", CLUSTER, "a", "kill")  # SIGKILL: a crash, mid-import
    assert imported() == ("importing", 500), imported()
    cluster("worker", CLUSTER, "b", "start")
    until("B's worker finishing the import", lambda: imported()[0] == "done")
    assert imported() == ("done", rows), imported()
    [(count,)] = sql(PRIMARY, "SELECT count(*) FROM registry_resident WHERE name LIKE '导入%%'")
    assert count == rows, count
    # The tasks went through Redis (TASK_QUEUE_URL, its database 1), not the database's queue.
    finished = subprocess.run(
        ["redis-cli", "-p", os.environ["REDIS_PORT"], "-n", "1", "ZCARD", "rq:finished:default"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert int(finished) >= 1, finished
    [(in_database,)] = sql(PRIMARY, "SELECT count(*) FROM django_tasks_database_dbtaskresult")
    assert in_database == 0, in_database
    cluster("worker", CLUSTER, "a", "start")  # back to two ordinary workers
    proved(
        f"A 的后台进程导入中途被杀死，B 的后台进程接手完成"
        f"（{rows} 行，无重复无遗漏；任务经 Redis 排队）"
    )


# 5. Stopping one app server under load loses nothing; the balancer uses the other --------
def survives_a_server_stop() -> None:
    """Four clients save households through the balancer without pause. A quarter in, app
    server A is stopped (gracefully, as for an upgrade); each client goes on until A has
    stopped, then saves five more. Every save must be answered, and be in the database."""
    clients, more_after = 4, 5
    answers: list[tuple[int, str, str, bool]] = []  # status, server, household number, after
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)
    saved_once = threading.Semaphore(0)
    a_stopped = threading.Event()

    def work(client: int) -> None:
        browser = Browser()
        browser.login(BALANCER, "guwei_jb")
        ready.wait()
        item, left = 0, more_after
        while left:
            after = a_stopped.is_set()  # set before this save began
            number = f"99{client}{item:03d}{time.time_ns() % 10**6:06d}"
            status, headers, _ = browser.post_form(
                f"{BALANCER}/registry/households/new/",
                {"household_number": number, "address": "古魏镇集群村"},
            )
            with lock:
                answers.append((status, headers.get("X-Portal-Server", "?"), number, after))
            saved_once.release()
            item += 1
            left -= after

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    for _ in range(clients * 3):  # a dozen saves in
        saved_once.acquire()
    cluster("app", CLUSTER, "a", "stop")
    a_stopped.set()
    for thread in threads:
        thread.join()

    assert all(status == 302 for status, *_ in answers), Counter(s for s, *_ in answers)
    numbers = [number for _, _, number, _ in answers]
    saved = {
        row[0]
        for row in sql(
            PRIMARY,
            "SELECT household_number FROM registry_household WHERE household_number = ANY(%s)",
            numbers,
        )
    }
    assert saved == set(numbers), f"lost: {set(numbers) - saved}"
    after = [server for _, server, _, later in answers if later]
    assert len(after) == clients * more_after and set(after) == {"b"}, Counter(after)
    served = Counter(server for _, server, _, _ in answers)
    proved(
        f"负载中停止 A：{len(numbers)} 次保存全部成功、无丢失，之后全部由 B 应答（{dict(served)}）"
    )
    cluster("app", CLUSTER, "a", "start")


if __name__ == "__main__":
    browser = session_travels()
    no_stale_page(browser)
    reads_from_the_replica()
    import_survives_its_worker()
    survives_a_server_stop()
    print("集群验证全部通过。")
