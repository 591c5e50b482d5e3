package io.larder.onlinestore;

import java.util.regex.Pattern;

/** Redis URIs as they may be shown: a password written into one never reaches a log line. */
public final class RedisUris {

  // scheme://userinfo@ — Lettuce reads userinfo as "password" or "username:password".
  private static final Pattern USER_INFO =
      Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://)([^@/]*)@");

  private RedisUris() {}

  public static String masked(String uri) {
    if (uri == null) {
      return null;
    }
    var matcher = USER_INFO.matcher(uri);
    if (!matcher.find()) {
      return uri;
    }
    String userInfo = matcher.group(2);
    int colon = userInfo.indexOf(':');
    String shown = colon < 0 ? "****" : userInfo.substring(0, colon) + ":****";
    return matcher.group(1) + shown + "@" + uri.substring(matcher.end());
  }
}
