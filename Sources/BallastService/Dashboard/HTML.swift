import BallastReports

/// The dashboard's page furniture; every value on it passes through `HTMLText.escape`.
enum HTML {
    /// The pages' own styles and scripts only: nothing external, no inline handlers from data.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
        + "connect-src 'self'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static let style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
        header{background:#1d2330;color:#fff;padding:10px 20px;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
        header h1{font-size:18px;margin:0 12px 0 0}
        .pill{padding:2px 10px;border-radius:10px;background:#3a4458;font-size:12px}
        .ok{background:#1f7a4a}.bad{background:#b3261e}.warn{background:#9a6b00}
        main{padding:16px 20px;display:grid;gap:16px;grid-template-columns:repeat(auto-fit,minmax(460px,1fr))}
        section{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:12px 16px}
        h2{font-size:15px;margin:0 0 8px}
        table{border-collapse:collapse;width:100%;font-size:13px}
        th,td{text-align:left;padding:3px 6px;border-bottom:1px solid #eef0f3;vertical-align:top}
        td.n{text-align:right;font-variant-numeric:tabular-nums}
        .muted{color:#6b7385}
        button{font:inherit;padding:4px 12px;border-radius:4px;border:1px solid #888;cursor:pointer}
        svg text{font:11px system-ui,sans-serif}
        """
}
