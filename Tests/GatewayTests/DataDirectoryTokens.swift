import Auth
import Foundation
import Glibc

/// A token for `user`, signed with the secret a `yizhan` process created in `dataDirectory` (`secret.key`), valid
/// for `ttl` seconds from now (negative: already expired).
func mintToken(
    _ dataDirectory: String,
    _ user: String,
    roles: [String] = ["student"],
    ttl: Int64 = 600
) throws
    -> String
{
    let secret = try String(contentsOfFile: dataDirectory + "/secret.key", encoding: .utf8)
        .trimmingCharacters(in: .whitespacesAndNewlines)
    let now = Int64(time(nil))
    return TokenAuthority(secret: Array(secret.utf8))!.mint(
        TokenClaims(subject: user, roles: roles, issuedAt: min(now, now + ttl) - 10, expiresAt: now + ttl)
    )
}
