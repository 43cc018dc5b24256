import Hummingbird

/// The login form: takes the API token once and sets the session cookie.
enum LoginPage {
    static func response(failed: Bool) -> Response {
        let page = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ballast — sign in</title>
            <meta name="viewport" content="width=device-width,initial-scale=1"><style>\(HTML.style)
            form{max-width:360px;margin:80px auto;background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:20px}
            input{width:100%;box-sizing:border-box;padding:6px;margin:8px 0}</style></head><body>
            <form method="post" action="/login"><h2>Ballast</h2>
            <label for="token">API token (BALLAST_API_TOKEN)</label>
            <input id="token" name="token" type="password" autocomplete="current-password" autofocus required>
            \(failed ? "<p id=\"failed\" style=\"color:#b3261e\">That token is not the service's.</p>" : "")
            <button type="submit">Sign in</button></form></body></html>
            """
        var response = JSONBody.text(page, status: failed ? .unauthorized : .ok, contentType: "text/html; charset=utf-8")
        response.headers[.contentSecurityPolicy] = HTML.contentSecurityPolicy
        return response
    }
}
