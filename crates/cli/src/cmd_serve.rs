//! `zizhu serve [--listen 127.0.0.1:8080]`: the web application on the configured store.

use crate::ui::Ctx;
use std::sync::Arc;

pub async fn run(ctx: &Ctx, listen: &str, insecure_cookies: bool) -> anyhow::Result<u8> {
    let db = ctx.db().await?;
    let policy = ctx.policy()?;
    let users = db.users().await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("无法监听 {listen}：{e}（端口是否已被占用？）"))?;
    let addr = listener.local_addr()?;
    // Uploaded lists wait here between validation and confirmation: a folder of this server's own
    // (mode 0700, a random name, removed when the server stops), never a shared, guessable one.
    let uploads = tempfile::Builder::new()
        .prefix("zizhu-uploads-")
        .tempdir()
        .map_err(|e| anyhow::anyhow!("无法建立上传文件的临时目录：{e}"))?;
    // Not left to the umask: the uploaded lists hold ID numbers.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(uploads.path(), std::fs::Permissions::from_mode(0o700))
            .map_err(|e| anyhow::anyhow!("无法设置上传目录的权限：{e}"))?;
    }
    let stop = zizhu_web::stop_signal();
    println!("网页服务已启动：http://{addr}/ （按 Ctrl-C 或发送 SIGTERM 停止）");
    if users.is_empty() {
        println!(
            "注意：还没有任何用户。先运行 zizhu user add 用户名 --role county_admin 添加县级管理员。"
        );
    }
    if insecure_cookies {
        println!("注意：--insecure-cookies 使登录 Cookie 也经 HTTP 明文发送，只应在无法使用 HTTPS 的内网使用。");
    }
    let state = zizhu_web::AppState {
        db,
        policy: Arc::new(policy.policy),
        policy_label: Arc::from(policy.label.as_str()),
        policy_sha256: Arc::from(policy.sha256.as_str()),
        secure_cookies: !insecure_cookies,
        uploads: Arc::new(uploads.path().to_path_buf()),
        cache: Default::default(),
    };
    zizhu_web::serve_until(state, listener, stop).await?;
    println!("网页服务已停止");
    Ok(0)
}
