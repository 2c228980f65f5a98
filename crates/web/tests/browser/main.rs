//! End-to-end tests in a real browser (headless Debian Chromium through chromedriver): each role
//! logs in and walks its main flows on the small synthetic county of the router tests, and the
//! main pages are saved as screenshots in `target/screenshots/`.
//!
//! Needs `chromium` and `chromedriver` on the PATH (CI installs them: `.ci/run`). Without them
//! the test says so and passes, unless `ZIZHU_BROWSER_TESTS=1` demands it (CI sets that).
#![allow(clippy::panic, clippy::unwrap_used)]

#[path = "../it/support.rs"]
#[allow(dead_code)]
mod support;

use fantoccini::{Client, ClientBuilder, Locator};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{County, PASSWORD};

/// A chromedriver process, killed when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn found(cmd: &str) -> bool {
    Command::new(cmd)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Starts chromedriver and a headless Chromium session; `None` when they are not installed.
async fn browser() -> Option<(Driver, Client)> {
    if !found("chromedriver") || !found("chromium") {
        if std::env::var("ZIZHU_BROWSER_TESTS").as_deref() == Ok("1") {
            panic!("ZIZHU_BROWSER_TESTS=1 but chromium or chromedriver is not installed");
        }
        eprintln!("\n注意：没有 chromium/chromedriver，浏览器测试没有运行。NOTE: the browser tests were NOT run.\n");
        return None;
    }
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let driver = Driver(child);
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1280,1400", "--lang=zh-CN"]
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(c) => return Some((driver, c)),
            Err(e) if started.elapsed() > Duration::from_secs(30) => panic!("chromedriver: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    // chromedriver takes only canonical paths for uploads.
    dir.canonicalize().unwrap()
}

/// Drives one browser through the application at `base`.
struct Walk {
    c: Client,
    base: String,
}

impl Walk {
    async fn go(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    /// Waits until the page shows `text` (10 s at most).
    async fn sees(&self, text: &str) {
        let started = Instant::now();
        loop {
            let src = self.c.source().await.unwrap();
            if src.contains(text) {
                return;
            }
            if started.elapsed() > Duration::from_secs(10) {
                panic!("the page never showed {text:?}:\n{src}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn source(&self) -> String {
        self.c.source().await.unwrap()
    }

    async fn css(&self, css: &str) -> fantoccini::elements::Element {
        self.c.find(Locator::Css(css)).await.unwrap()
    }

    async fn shot(&self, name: &str) {
        let png = self.c.screenshot().await.unwrap();
        std::fs::write(shots().join(name), png).unwrap();
    }

    async fn login(&self, user: &str) {
        self.c.delete_all_cookies().await.unwrap();
        self.go("/login").await;
        self.css("input[name=username]")
            .await
            .send_keys(user)
            .await
            .unwrap();
        self.css("input[name=password]")
            .await
            .send_keys(PASSWORD)
            .await
            .unwrap();
        self.css("button[type=submit]").await.click().await.unwrap();
        self.sees("退出").await;
    }

    /// Opens the `<details>` whose summary is `summary` and submits its form after `fill`.
    async fn open(&self, summary: &str) -> fantoccini::elements::Element {
        let d = self
            .c
            .find(Locator::XPath(&format!("//details[summary='{summary}']")))
            .await
            .unwrap();
        d.find(Locator::Css("summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        d
    }
}

#[tokio::test]
async fn each_role_walks_its_main_flows() {
    let Some((_driver, client)) = browser().await else {
        return;
    };
    support::on_sqlite(|county: County| async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = county
            .app
            .clone()
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let w = Walk { c: client, base };

        // The school officer: its dashboard, its student's explanation, nothing else.
        w.login("school_a").await;
        w.sees("于都县演示第二中学").await;
        w.shot("1-school-dashboard.png").await;
        w.go("/students").await;
        w.c.find(Locator::LinkText("甲演一")).await.unwrap().click().await.unwrap();
        w.sees("资助计算说明").await;
        w.sees("二(一)2").await;
        w.shot("2-student-explanation.png").await;
        let other = county.key_of(&county.c).await;
        w.go(&format!("/students/{other}")).await;
        w.sees("没有找到").await;
        assert!(!w.source().await.contains("丙演三"));
        w.go("/roster").await;
        w.sees("甲演一").await;
        w.shot("3-school-roster.png").await;

        // The county: an import with a bad row is refused with the row; compute; close a case.
        w.login("county").await;
        let bad = support::id("20120102", 42);
        let bad = format!("{}{}", &bad[..17], if bad.ends_with('0') { '1' } else { '0' });
        let file = shots().join("低保-有错.csv");
        std::fs::write(
            &file,
            format!("姓名,身份证号,城乡类别,开始日期,结束日期\n庚演七,{},农村,2023-01-01,2023-12-31\n辛演八,{bad},农村,2023-01-01,2023-12-31\n",
                support::id("20120101", 41)),
        )
        .unwrap();
        w.go("/imports").await;
        w.css("select[name=kind]").await.select_by_value("dibao").await.unwrap();
        w.css("input[type=file]").await.send_keys(file.to_str().unwrap()).await.unwrap();
        w.css("form[enctype] button[type=submit]").await.click().await.unwrap();
        w.sees("未通过").await;
        w.sees("校验位").await;
        w.shot("4-import-error.png").await;
        w.go("/compute").await;
        let term = w.css("input[name=term]").await;
        term.clear().await.unwrap();
        term.send_keys("2023-autumn").await.unwrap();
        w.css("form[action='/compute'] button").await.click().await.unwrap();
        w.sees("资助 3 人次，合计 1,750.00 元").await;
        w.shot("5-compute.png").await;
        w.go(&format!("/cases/{}", county.case_a)).await;
        let d = w.open("开始核查").await;
        d.find(Locator::Css("button")).await.unwrap().click().await.unwrap();
        w.sees("· 核查中</h1>").await;
        let d = w.open("核实为非辍学").await;
        d.find(Locator::Css("select[name=reason]")).await.unwrap().select_by_value("enrolled").await.unwrap();
        d.find(Locator::Css("textarea[name=evidence]")).await.unwrap()
            .send_keys("已在本县演示学校就读，学校出具在读证明").await.unwrap();
        d.find(Locator::Css("button")).await.unwrap().click().await.unwrap();
        w.sees("· 核实非辍学</h1>").await;
        let d = w.open("销号").await;
        d.find(Locator::Css("textarea[name=note]")).await.unwrap()
            .send_keys("核实在读，县级销号").await.unwrap();
        d.find(Locator::Css("button")).await.unwrap().click().await.unwrap();
        w.sees("· 已销号</h1>").await;
        w.shot("6-case-closed.png").await;
        let case = county.db.case(county.case_a).await.unwrap().unwrap();
        assert_eq!(case.state, zizhu_domain::dropout::CaseState::Closed);
        w.go("/").await;
        w.sees("各乡镇").await;
        // The charts are drawn (ECharts puts a canvas in each chart box).
        let started = Instant::now();
        while !w.source().await.contains("<canvas") {
            assert!(started.elapsed() < Duration::from_secs(10), "no chart drawn");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        w.shot("7-county-dashboard.png").await;
        // The schools page: each school with its coverage, roster status and open cases.
        w.go("/schools").await;
        w.sees("覆盖率").await;
        w.sees("于都县银坑镇演示九年一贯制学校").await;
        w.shot("7b-county-schools.png").await;

        // Roster approval after the county's compute: school A confirms and 贡江镇 reviews in the
        // browser (schools B and C sign off through the store), then a second county
        // administrator approves and locks the term.
        let run = county
            .db
            .latest_run(support::autumn())
            .await
            .unwrap()
            .unwrap()
            .id;
        use zizhu_domain::approval::SignoffStep::{Confirm, Review};
        for school in [support::SCHOOL_B, support::SCHOOL_C] {
            county.db.signoff(support::autumn(), school, Confirm, run, None, "t", "-", "").await.unwrap();
            county.db.signoff(support::autumn(), school, Review, run, Some((Confirm, run)), "t", "-", "").await.unwrap();
        }
        w.login("school_a").await;
        w.go("/approval?term=2023-autumn").await;
        w.c.find(Locator::XPath("//button[text()='确认本校名单']")).await.unwrap().click().await.unwrap();
        w.sees("学校已确认，待乡镇审核").await;
        w.login("town").await;
        w.sees("贡江镇").await;
        w.shot("8-township-dashboard.png").await;
        w.go("/approval?term=2023-autumn").await;
        w.c.find(Locator::XPath("//button[text()='审核通过']")).await.unwrap().click().await.unwrap();
        w.sees("乡镇已审核").await;
        let chief = zizhu_domain::access::Access::new(zizhu_domain::access::Role::CountyAdmin, None, None).unwrap();
        zizhu_app::accounts::add_user(&county.db, "chief", "县级审批", &chief, PASSWORD, "test").await.unwrap();
        w.login("chief").await;
        w.go("/approval?term=2023-autumn").await;
        w.css("form[action='/approval/lock'] button").await.click().await.unwrap();
        w.sees("审批锁定（第").await;
        w.shot("8b-roster-approved.png").await;
        assert!(county.db.term_lock(support::autumn()).await.unwrap().is_some());
        w.login("auditor").await;
        w.go("/audit").await;
        w.sees("案件状态变更").await;
        w.sees("导入被拒绝").await;
        w.shot("9-audit-log.png").await;
        w.c.clone().close().await.unwrap();
    })
    .await;
}
