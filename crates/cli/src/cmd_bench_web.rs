//! `zizhu bench-web`: the web application's load test (issue 5). Builds the sample county
//! (`zizhu demo`, 50,000 students by default) in its own folder, adds one account per virtual user
//! (school officers, township officers and county administrators of that county), starts the
//! server on a free loopback port inside this process, and lets every user log in and browse for
//! a fixed time: roster pages (following the next-page link), the dashboard and a student search,
//! pausing between pages as a person reads (`--think-ms`, 0 for a stress test). Bounded and
//! self-stopping; prints the latency percentiles per page kind and the errors.

use crate::ui::Ctx;
use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use zizhu_domain::access::{Access, Role};

/// The load test's settings.
pub struct Load<'a> {
    pub dir: &'a Path,
    pub students: usize,
    pub users: usize,
    pub seconds: u64,
    /// A user's mean pause between two pages (a uniform draw between half and one and a half
    /// times it); 0 sends the next request at once (a stress test, not people).
    pub think_ms: u64,
}

type Http = Client<HttpConnector, Full<Bytes>>;

/// One virtual user's session: its cookie, and what it measured.
struct Session {
    http: Http,
    base: String,
    cookie: String,
    /// (page kind, latency) of every request.
    latencies: Vec<(&'static str, Duration)>,
    errors: Vec<String>,
    /// The kind of the request being sent.
    kind: &'static str,
    /// Mean pause between pages, and this user's own random draws.
    think_ms: u64,
    rng: rand_chacha::ChaCha8Rng,
    /// No request is sent after this instant (set when browsing starts).
    deadline: Option<Instant>,
}

impl Session {
    async fn send(
        &mut self,
        req: axum::http::Request<Full<Bytes>>,
    ) -> Result<(u16, Vec<(String, String)>, String), String> {
        let t = Instant::now();
        let resp = self.http.request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        self.latencies.push((self.kind, t.elapsed()));
        Ok((status, headers, String::from_utf8_lossy(&body).into_owned()))
    }

    /// A person reading the page before the next click.
    async fn think(&mut self) {
        use rand_chacha::rand_core::RngCore;
        if self.think_ms > 0 && self.deadline.is_none_or(|d| Instant::now() < d) {
            let ms = self.think_ms / 2 + u64::from(self.rng.next_u32()) % (self.think_ms + 1);
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
    }

    async fn get(&mut self, path: &str) -> Option<String> {
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return None;
        }
        self.kind = match path.split(['?', '/']).nth(1).unwrap_or_default() {
            "roster" => "资助名单",
            "students" => "查学生",
            "login" => "登录",
            _ => "首页",
        };
        let req = axum::http::Request::get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .body(Full::new(Bytes::new()));
        let Ok(req) = req else { return None };
        match self.send(req).await {
            Ok((200, _, body)) => Some(body),
            Ok((status, _, _)) => {
                self.errors.push(format!("GET {path} → {status}"));
                None
            }
            Err(e) => {
                self.errors.push(format!("GET {path}：{e}"));
                None
            }
        }
    }

    /// Logs in as `user`; false (with the error recorded) when it fails.
    async fn login(&mut self, user: &str, password: &str) -> bool {
        let Some(form) = self.get("/login").await else {
            return false;
        };
        let token = form
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|t| t.get(..64))
            .unwrap_or_default()
            .to_string();
        let body = format!("username={user}&password={password}&csrf={token}");
        let req = axum::http::Request::post(format!("{}/login", self.base))
            .header("cookie", format!("zizhu_login_csrf={token}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(body)));
        let Ok(req) = req else { return false };
        match self.send(req).await {
            Ok((303, headers, _)) => {
                let session = headers
                    .iter()
                    .filter(|(k, _)| k == "set-cookie")
                    .find_map(|(_, v)| v.strip_prefix("zizhu_session="))
                    .and_then(|v| v.split(';').next())
                    .unwrap_or_default();
                self.cookie = format!("zizhu_session={session}");
                true
            }
            other => {
                self.errors
                    .push(format!("登录 {user} 失败：{:?}", other.map(|r| r.0)));
                false
            }
        }
    }

    /// Browses until `deadline`: the roster (up to three pages), the dashboard, a search.
    async fn browse(&mut self, deadline: Instant) {
        self.deadline = Some(deadline);
        const SURNAMES: [&str; 6] = ["王", "李", "张", "刘", "陈", "杨"];
        let mut round = 0usize;
        while Instant::now() < deadline {
            let mut path = "/roster?term=2023-autumn".to_string();
            for _ in 0..3 {
                self.think().await;
                let Some(page) = self.get(&path).await else {
                    break;
                };
                match page
                    .split("&amp;after=")
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                {
                    Some(after) => path = format!("/roster?term=2023-autumn&after={after}"),
                    None => break,
                }
            }
            self.think().await;
            self.get("/").await;
            self.think().await;
            let q = SURNAMES[round % SURNAMES.len()];
            let encoded: String = q.bytes().map(|b| format!("%{b:02X}")).collect();
            self.get(&format!("/students?term=2023-autumn&q={encoded}"))
                .await;
            round += 1;
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

pub async fn run(ctx: &Ctx, load: &Load<'_>) -> anyhow::Result<u8> {
    let url = crate::ui::fresh_sqlite(&load.dir.join("zizhu.db"))?;
    let demo_ctx = Ctx::new(
        Some(url.clone()),
        ctx.policy.clone(),
        Some(ctx.actor.clone()),
    );
    println!("== 生成演示县（{} 名学生）", load.students);
    if crate::cmd_demo::run(&demo_ctx, load.dir, load.students, 2023).await? != 0 {
        anyhow::bail!("演示县生成失败");
    }
    let db = crate::ui::open_db(&url).await?;
    // Virtual users: 70 % school officers (one school each, round robin), 25 % township
    // officers, 5 % county administrators.
    let schools = db.schools().await?;
    let mut townships: Vec<String> = schools.iter().map(|s| s.township.clone()).collect();
    townships.sort();
    townships.dedup();
    let password = zizhu_app::accounts::generate_password()?;
    let mut users = Vec::with_capacity(load.users);
    for i in 0..load.users {
        let access = match i % 20 {
            0 => Access::new(Role::CountyAdmin, None, None)?,
            1..=5 => Access::new(
                Role::TownshipOfficer,
                Some(&townships[i % townships.len()]),
                None,
            )?,
            _ => Access::new(
                Role::SchoolOfficer,
                None,
                Some(&schools[i % schools.len()].code),
            )?,
        };
        let name = format!("bench.{i:03}");
        zizhu_app::accounts::add_user(&db, &name, "压测用户", &access, &password, "bench").await?;
        users.push(name);
    }
    let policy = ctx.policy()?;
    let uploads = tempfile::tempdir()?;
    let state = zizhu_web::AppState {
        db: db.clone(),
        policy: Arc::new(policy.policy),
        policy_label: Arc::from(policy.label.as_str()),
        policy_sha256: Arc::from(policy.sha256.as_str()),
        secure_cookies: false,
        uploads: Arc::new(uploads.path().to_path_buf()),
        cache: Default::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(zizhu_web::serve_until(state, listener, async {
        let _ = stop_rx.await;
    }));
    println!(
        "== {} 个用户同时浏览 {} 秒（学校 70%、乡镇 25%、县级 5%）：资助名单前三页、首页、按姓查学生；\
         每页之间平均停顿 {} 毫秒",
        load.users, load.seconds, load.think_ms
    );
    let http: Http = Client::builder(hyper_util::rt::TokioExecutor::new())
        .pool_max_idle_per_host(load.users)
        .build(HttpConnector::new());
    // Everyone logs in first; the clock starts when all are in.
    let mut sessions = Vec::new();
    for (i, name) in users.iter().enumerate() {
        use rand_chacha::rand_core::SeedableRng;
        let mut s = Session {
            http: http.clone(),
            base: base.clone(),
            cookie: String::new(),
            latencies: Vec::new(),
            errors: Vec::new(),
            kind: "",
            think_ms: load.think_ms,
            rng: rand_chacha::ChaCha8Rng::seed_from_u64(i as u64),
            deadline: None,
        };
        s.login(name, &password).await;
        s.latencies.clear();
        sessions.push(s);
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs(load.seconds);
    let tasks: Vec<_> = sessions
        .into_iter()
        .map(|mut s| {
            tokio::spawn(async move {
                if !s.cookie.is_empty() {
                    s.browse(deadline).await;
                }
                s
            })
        })
        .collect();
    let (mut all, mut errors) = (Vec::new(), Vec::new());
    for t in tasks {
        let s = t.await?;
        all.extend(s.latencies);
        errors.extend(s.errors);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let _ = stop_tx.send(());
    let _ = server.await;
    let mut kinds: Vec<&str> = all.iter().map(|(k, _)| *k).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let by_kind: Vec<(&str, Vec<Duration>)> = kinds
        .into_iter()
        .map(|k| {
            let mut v: Vec<Duration> = all
                .iter()
                .filter(|(x, _)| *x == k)
                .map(|(_, d)| *d)
                .collect();
            v.sort();
            (k, v)
        })
        .collect();
    let mut all: Vec<Duration> = all.into_iter().map(|(_, d)| d).collect();
    all.sort();
    println!(
        "请求 {} 个，{:.1} 秒，{:.0} 个/秒；错误 {} 个",
        all.len(),
        elapsed,
        all.len() as f64 / elapsed,
        errors.len()
    );
    println!(
        "延迟（毫秒）：p50 {:.1}，p95 {:.1}，p99 {:.1}，最大 {:.1}",
        percentile(&all, 0.50),
        percentile(&all, 0.95),
        percentile(&all, 0.99),
        percentile(&all, 1.0)
    );
    for (k, v) in &by_kind {
        println!(
            "  {k}：{} 个，p50 {:.1}，p99 {:.1}",
            v.len(),
            percentile(v, 0.50),
            percentile(v, 0.99)
        );
    }
    for e in errors.iter().take(10) {
        println!("  错误：{e}");
    }
    Ok(u8::from(!errors.is_empty()))
}
