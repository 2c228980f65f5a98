//! A small county (three schools in two townships, three aided students), its accounts, and a
//! browser-like client of the router.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use std::collections::BTreeMap;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt as _;
use zizhu_app::import::{import_file, ImportRequest};
use zizhu_domain::access::{Access, Role};
use zizhu_domain::ids::check_char;
use zizhu_domain::{ListKind, Season, Term};
use zizhu_policy::Policy;
use zizhu_store::Db;

const POLICY: &str = include_str!("../../../../policy/2023.toml");
pub const PASSWORD: &str = "web-test-password-2023";

/// Today in China, as the pages take it.
pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

pub fn autumn() -> Term {
    Term::new(2023, Season::Autumn)
}

/// A valid ID for 于都县 (360731) with the given birth date and sequence.
pub fn id(birth: &str, seq: u32) -> String {
    let first17 = format!("360731{birth}{seq:03}");
    let c = check_char(&first17).unwrap();
    format!("{first17}{c}")
}

/// School A (初中) and B (小学) are in 贡江镇, C (九年一贯制) in 银坑镇.
pub const SCHOOL_A: &str = "2136000002";
pub const SCHOOL_B: &str = "2136000001";
pub const SCHOOL_C: &str = "2136000007";

const SCHOOLS: &str = "学校标识码,学校名称,办学类型,办学性质,所在乡镇,是否普惠性幼儿园,审批级别
2136000001,于都县贡江镇演示小学,小学,公办,贡江镇,否,
2136000002,于都县演示第二中学,初中,公办,贡江镇,否,
2136000007,于都县银坑镇演示九年一贯制学校,九年一贯制学校,公办,银坑镇,否,
";

/// The county under test: its database, the application, and the people.
pub struct County {
    pub db: Db,
    pub app: axum::Router,
    /// Boarding 低保 students of school A, B and C (甲, 乙, 丙) with their IDs.
    pub a: String,
    pub b: String,
    pub c: String,
    /// 己, registered at school A and at school C in the same term (重复注册), on no list.
    pub dual: String,
    /// Dropout cases (opened 2026-11-01) of a child at school A (贡江镇) and one at C (银坑镇).
    pub case_a: i64,
    pub case_c: i64,
}

impl County {
    /// The registry row key of a person in the autumn term.
    pub async fn key_of(&self, id_number: &str) -> i64 {
        let all = self
            .db
            .search_students(
                zizhu_store::ScopeFilter {
                    township: None,
                    school: None,
                },
                autumn(),
                id_number,
                10,
            )
            .await
            .unwrap();
        all.iter()
            .find(|s| s.id_number == id_number)
            .map(|s| s.key)
            .unwrap()
    }

    pub fn client(&self) -> Client {
        Client {
            app: self.app.clone(),
            jar: BTreeMap::new(),
        }
    }

    /// A client signed in as `user` (made by [`load`]).
    pub async fn signed_in(&self, user: &str) -> Client {
        let mut c = self.client();
        let r = c.login(user, PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "login {user}: {}", r.body);
        c
    }
}

async fn import(
    db: &Db,
    dir: &Path,
    kind: ListKind,
    name: &str,
    content: &str,
    term: Option<Term>,
) {
    let file = dir.join(name);
    std::fs::write(&file, content).unwrap();
    let req = ImportRequest {
        origin: None,
        kind,
        file,
        term,
        dry_run: false,
        actor: "test".into(),
        report_dir: dir.to_path_buf(),
    };
    let o = import_file(db, &req, &|_| {}).await.unwrap();
    assert!(o.accepted(), "{name}: {:?}", o.errors);
}

/// Imports the county, computes autumn 2023, adds one account per role (password [`PASSWORD`]):
/// `county`, `auditor`, `town` (贡江镇), `school_a`, `school_c`.
async fn load(db: Db, dir: &Path) -> County {
    let (a, b, c) = (id("20100315", 11), id("20150420", 12), id("20110506", 13));
    let dual = id("20090707", 16);
    let students = format!(
        "姓名,身份证件号,学籍号,学校标识码,年级,是否住校,户口性质,专业,是否涉农专业,学籍状态,家庭经济困难认定\n\
         甲演一,{a},G{a},{SCHOOL_A},八年级,是,农业,,,在读,不困难\n\
         乙演二,{b},G{b},{SCHOOL_B},三年级,是,农业,,,在读,不困难\n\
         丙演三,{c},G{c},{SCHOOL_C},七年级,是,农业,,,在读,不困难\n\
         己演六,{dual},G{dual},{SCHOOL_A},九年级,否,农业,,,在读,不困难\n\
         己演六,{dual},G{dual},{SCHOOL_C},九年级,否,农业,,,在读,不困难\n"
    );
    let dibao = format!(
        "姓名,身份证号,城乡类别,开始日期,结束日期\n甲演一,{a},农村,2023-01-01,2023-12-31\n\
         乙演二,{b},农村,2023-01-01,2023-12-31\n丙演三,{c},农村,2023-01-01,2023-12-31\n"
    );
    import(&db, dir, ListKind::Schools, "schools.csv", SCHOOLS, None).await;
    import(
        &db,
        dir,
        ListKind::Students,
        "students.csv",
        &students,
        Some(autumn()),
    )
    .await;
    import(&db, dir, ListKind::Dibao, "dibao.csv", &dibao, None).await;
    let policy = Policy::parse(POLICY).unwrap();
    zizhu_app::compute_term(&db, &policy, "sha", autumn(), "test", &|_, _| {})
        .await
        .unwrap();
    for (user, role, town, school) in [
        ("county", Role::CountyAdmin, None, None),
        ("auditor", Role::Auditor, None, None),
        ("town", Role::TownshipOfficer, Some("贡江镇"), None),
        ("school_a", Role::SchoolOfficer, None, Some(SCHOOL_A)),
        ("school_c", Role::SchoolOfficer, None, Some(SCHOOL_C)),
    ] {
        let access = Access::new(role, town, school).unwrap();
        zizhu_app::accounts::add_user(&db, user, user, &access, PASSWORD, "test")
            .await
            .unwrap();
    }
    let (case_a, case_c) = open_cases(&db).await;
    let app = zizhu_web::router(zizhu_web::AppState {
        db: db.clone(),
        policy: Arc::new(policy),
        policy_label: Arc::from("policy/2023.toml"),
        policy_sha256: Arc::from("sha"),
        secure_cookies: true,
        uploads: Arc::new(dir.join("uploads")),
        cache: Default::default(),
    });
    County {
        db,
        app,
        a,
        b,
        c,
        dual,
        case_a,
        case_c,
    }
}

/// Two suspects found by a scan on 2026-11-01: 丁 (school A, 贡江镇) and 戊 (school C, 银坑镇).
async fn open_cases(db: &Db) -> (i64, i64) {
    use zizhu_domain::dropout::{AttentionGroup, SuspectReason, UserLevel};
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let county = zizhu_store::Actor {
        name: "test".into(),
        level: UserLevel::County,
        origin: None,
    };
    let mut tx = db
        .begin_scan(day, Term::new(2026, Season::Autumn), &county)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for (name, seq, township, school) in [
        ("丁演四", 14, "贡江镇", SCHOOL_A),
        ("戊演五", 15, "银坑镇", SCHOOL_C),
    ] {
        let case = zizhu_store::NewCase {
            id_number: id("20120601", seq),
            name: name.into(),
            sex: None,
            birth_date: chrono::NaiveDate::from_ymd_opt(2012, 6, 1),
            township: township.into(),
            village: "演示村".into(),
            household_no: format!("H{seq}"),
            guardian: "演示监护人".into(),
            guardian_phone: "13800000000".into(),
            school_code: school.into(),
            reasons: vec![SuspectReason::AbsentFromAttendance],
            groups: vec![AttentionGroup::LeftBehind],
        };
        ids.push(tx.open_case(&case).await.unwrap());
    }
    tx.commit(zizhu_store::ScanSummary::default())
        .await
        .unwrap();
    (ids[0], ids[1])
}

pub async fn on_sqlite<F, Fut>(test: F)
where
    F: FnOnce(County) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite:{}", dir.path().join("web.db").display()))
        .await
        .unwrap();
    db.migrate().await.unwrap();
    test(load(db, dir.path()).await).await;
}

/// On PostgreSQL in a schema of its own, dropped afterwards (also when the test fails).
pub async fn on_postgres<F, Fut>(test: F)
where
    F: FnOnce(County) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Ok(base) = std::env::var("ZIZHU_TEST_PG_URL") else {
        eprintln!("注意：未设置 ZIZHU_TEST_PG_URL，网页测试的 PostgreSQL 部分没有运行。");
        return;
    };
    let schema = format!(
        "zizhu_web_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    );
    let admin = sqlx::PgPool::connect(&base).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let county = load(db.clone(), dir.path()).await;
    let outcome = tokio::spawn(test(county)).await;
    db.close().await;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&admin)
        .await
        .unwrap();
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// A response as a test reads it.
pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

/// A browser: keeps cookies, sends forms.
pub struct Client {
    app: axum::Router,
    pub jar: BTreeMap<String, String>,
}

impl Client {
    pub async fn send(&mut self, req: Request<Body>) -> Resp {
        let resp = self.app.clone().oneshot(req).await.unwrap();
        for v in resp.headers().get_all(header::SET_COOKIE) {
            let c = cookie::Cookie::parse(v.to_str().unwrap().to_string()).unwrap();
            if c.max_age() == Some(cookie::time::Duration::ZERO) {
                self.jar.remove(c.name());
            } else {
                self.jar.insert(c.name().to_string(), c.value().to_string());
            }
        }
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        Resp {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    fn cookie_header(&self) -> String {
        self.jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Another client with this one's cookies (the same browser session, another tab).
    pub fn clone_session(&self) -> Client {
        Client {
            app: self.app.clone(),
            jar: self.jar.clone(),
        }
    }

    /// GET returning the raw body (downloads).
    pub fn get_raw(&mut self, path: &str) -> RawGet<'_> {
        RawGet {
            client: self,
            path: path.to_string(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let req = Request::get(path)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    /// POSTs `fields` as a form (values URL-encoded).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body: String = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// The CSRF token in a page's forms.
    pub fn csrf_in(page: &str) -> String {
        let at = page
            .find("name=\"csrf\" value=\"")
            .expect("a form with a csrf token");
        page[at + 19..at + 19 + 64].to_string()
    }

    /// Opens the login page and submits it.
    pub async fn login(&mut self, user: &str, password: &str) -> Resp {
        let form = self.get("/login").await;
        let csrf = Client::csrf_in(&form.body);
        self.post(
            "/login",
            &[("username", user), ("password", password), ("csrf", &csrf)],
        )
        .await
    }
}

/// A GET whose body is bytes.
pub struct RawGet<'a> {
    client: &'a mut Client,
    path: String,
}

impl RawGet<'_> {
    pub async fn await_bytes(self) -> (StatusCode, Vec<u8>) {
        let req = Request::get(&self.path)
            .header(header::COOKIE, self.client.cookie_header())
            .body(Body::empty())
            .unwrap();
        let resp = self.client.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, bytes.to_vec())
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Imports a list file with `content` as the county would (all or nothing); panics if refused.
pub async fn import_list(c: &County, kind: zizhu_domain::ListKind, name: &str, content: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, content).unwrap();
    let req = zizhu_app::import::ImportRequest {
        origin: None,
        kind,
        file,
        term: None,
        dry_run: false,
        actor: "county".into(),
        report_dir: dir.path().to_path_buf(),
    };
    let o = zizhu_app::import::import_file(&c.db, &req, &|_| {})
        .await
        .unwrap();
    assert!(o.accepted(), "{name}: {:?}", o.errors);
}
