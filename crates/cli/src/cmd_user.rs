//! `zizhu user add|list|passwd`: web accounts (用户). The first county administrator is made
//! here; there is no default account or password. A password is generated and shown once unless
//! one is given on standard input (`--password-stdin`, for scripts).

use crate::ui::Ctx;
use std::io::BufRead as _;
use zizhu_app::accounts;
use zizhu_domain::access::{Access, Role};

/// A role by its key or Chinese name.
pub fn parse_role(s: &str) -> Result<Role, String> {
    Role::from_key(s.trim())
        .or_else(|| Role::ALL.iter().copied().find(|r| r.zh() == s.trim()))
        .ok_or_else(|| {
            let all: Vec<String> = Role::ALL
                .iter()
                .map(|r| format!("{}（{}）", r.key(), r.zh()))
                .collect();
            format!("未知的角色 {s}；可用：{}", all.join("、"))
        })
}

/// The password: the first line of standard input, or a generated one (shown once).
fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok((line.trim_end_matches(['\r', '\n']).to_string(), false))
    } else {
        Ok((accounts::generate_password()?, true))
    }
}

pub struct NewAccount<'a> {
    pub username: &'a str,
    pub name: Option<&'a str>,
    pub role: Role,
    pub township: Option<&'a str>,
    pub school: Option<&'a str>,
    pub password_stdin: bool,
}

pub async fn add(ctx: &Ctx, a: &NewAccount<'_>) -> anyhow::Result<u8> {
    let access = match Access::new(a.role, a.township, a.school) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("错误：{e}");
            return Ok(1);
        }
    };
    let (pw, generated) = password(a.password_stdin)?;
    let db = ctx.db().await?;
    let display = a.name.unwrap_or(a.username);
    match accounts::add_user(&db, a.username, display, &access, &pw, &ctx.actor).await {
        Ok(_) => {}
        Err(zizhu_app::AppError::Other(msg)) => {
            eprintln!("错误：{msg}");
            return Ok(1);
        }
        Err(e) => return Err(e.into()),
    }
    println!(
        "已添加用户 {}（{}，{}）",
        a.username.to_lowercase(),
        access.role.zh(),
        access.scope_zh()
    );
    if generated {
        println!("初始密码（只显示这一次，请转交本人）：{pw}");
    }
    Ok(0)
}

pub async fn list(ctx: &Ctx) -> anyhow::Result<u8> {
    let db = ctx.db().await?;
    let users = db.users().await?;
    if users.is_empty() {
        println!("还没有用户。用 zizhu user add 用户名 --role county_admin 添加第一个县级管理员。");
        return Ok(0);
    }
    println!("用户名\t姓名\t角色\t范围\t状态\t创建时间");
    for u in users {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            u.username,
            crate::cmd_data::printable(&u.display_name),
            u.access.role.zh(),
            crate::cmd_data::printable(&u.access.scope_zh()),
            if u.active { "启用" } else { "停用" },
            zizhu_domain::dates::beijing_time(u.created_at)
        );
    }
    Ok(0)
}

/// `zizhu user token USER --label …`: a new API token for another system, shown once.
pub async fn token(ctx: &Ctx, username: &str, label: &str) -> anyhow::Result<u8> {
    let username = username.trim().to_lowercase();
    let label = label.trim();
    if label.is_empty()
        || zizhu_domain::text::printable(label) != label
        || label.chars().count() > 60
    {
        eprintln!("错误：请用 --label 写明令牌给哪个系统用（1 至 60 个字，不含控制字符）");
        return Ok(1);
    }
    let token = accounts::random_token()?;
    let db = ctx.db().await?;
    if !db
        .add_api_token(
            &username,
            &accounts::token_sha256(&token),
            label,
            &ctx.actor,
        )
        .await?
    {
        eprintln!("错误：没有用户 {}", crate::cmd_data::printable(&username));
        return Ok(1);
    }
    println!("已为 {username} 生成接口令牌（{label}），只显示这一次：");
    println!("{token}");
    println!("请求时加请求头 Authorization: Bearer <令牌>；停用该用户或重设其密码即令牌作废。");
    Ok(0)
}

/// `zizhu user disable|enable`.
pub async fn set_active(ctx: &Ctx, username: &str, active: bool) -> anyhow::Result<u8> {
    let username = username.trim().to_lowercase();
    let db = ctx.db().await?;
    if !db.set_active(&username, active, &ctx.actor).await? {
        eprintln!("错误：没有用户 {}", crate::cmd_data::printable(&username));
        return Ok(1);
    }
    if active {
        println!("已启用用户 {username}");
    } else {
        println!("已停用用户 {username}，其登录会话已全部结束，接口令牌已全部作废");
    }
    Ok(0)
}

pub async fn passwd(ctx: &Ctx, username: &str, from_stdin: bool) -> anyhow::Result<u8> {
    let username = &username.trim().to_lowercase();
    let (pw, generated) = password(from_stdin)?;
    let hash = match accounts::hash_password(&pw) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("错误：{e}");
            return Ok(1);
        }
    };
    let db = ctx.db().await?;
    if !db.set_password(username, &hash, &ctx.actor).await? {
        eprintln!("错误：没有用户 {}", crate::cmd_data::printable(username));
        return Ok(1);
    }
    println!("已重设 {username} 的密码，原有登录会话已全部结束，接口令牌已全部作废，登录锁定（如有）已解除");
    if generated {
        println!("新密码（只显示这一次）：{pw}");
    }
    Ok(0)
}
