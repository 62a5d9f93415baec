/**
 * XSLT 1.0 that renders rss.xml and atom.xml as a readable page when a person opens a feed in a
 * browser, instead of raw XML. Feed readers ignore it. Every feed references it with
 * <?xml-stylesheet type="text/xsl"?>, served from the same host (browsers require that).
 */
export const FEED_STYLESHEET = `<?xml version="1.0" encoding="utf-8"?>
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom"
  exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:template match="/">
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="rss/channel/title | atom:feed/atom:title"/> (feed)</title>
        <style>
          body{margin:0 auto;max-width:46rem;padding:1rem;font:1rem/1.55 system-ui,sans-serif;color:#1b1b1b;background:#fdfdfb}
          .about{padding:.75rem 1rem;background:#eef4fb;border-radius:.4rem;font-size:.95rem}
          code{word-break:break-all}
          li{margin:0 0 1.1rem}
          .date{color:#666;font-size:.85rem}
          a{color:#0b5cad}
          @media (prefers-color-scheme:dark){body{background:#161616;color:#e8e8e8}.about{background:#1f2a36}a{color:#7fb6ff}.date{color:#aaa}}
        </style>
      </head>
      <body>
        <xsl:apply-templates select="rss/channel | atom:feed"/>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="rss/channel">
    <h1><xsl:value-of select="title"/></h1>
    <p><xsl:value-of select="description"/></p>
    <xsl:call-template name="about"><xsl:with-param name="self" select="*[local-name()='link' and @rel='self']/@href"/></xsl:call-template>
    <ol>
      <xsl:for-each select="item">
        <li>
          <a href="{link}"><xsl:value-of select="title"/></a>
          <div class="date"><xsl:value-of select="pubDate"/></div>
          <div><xsl:value-of select="substring(description, 1, 300)"/></div>
        </li>
      </xsl:for-each>
    </ol>
  </xsl:template>

  <xsl:template match="atom:feed">
    <h1><xsl:value-of select="atom:title"/></h1>
    <p><xsl:value-of select="atom:subtitle"/></p>
    <xsl:call-template name="about"><xsl:with-param name="self" select="atom:link[@rel='self']/@href"/></xsl:call-template>
    <ol>
      <xsl:for-each select="atom:entry">
        <li>
          <a href="{atom:link[not(@rel) or @rel='alternate'][1]/@href}"><xsl:value-of select="atom:title"/></a>
          <div class="date"><xsl:value-of select="atom:published"/></div>
          <div><xsl:value-of select="substring(atom:summary, 1, 300)"/></div>
        </li>
      </xsl:for-each>
    </ol>
  </xsl:template>

  <xsl:template name="about">
    <xsl:param name="self"/>
    <p class="about">This is a web feed. Copy its address into a feed reader to subscribe:
      <code><xsl:value-of select="$self"/></code></p>
  </xsl:template>
</xsl:stylesheet>
`;

/**
 * Fallback for browsers without XSLT (Chromium is removing it): the same feed styled with CSS.
 * Browsers that run the XSL ignore it.
 */
export const FEED_CSS = `rss, feed { display: block; max-width: 46rem; margin: 0 auto; padding: 1rem; font: 1rem/1.55 system-ui, sans-serif; color: #1b1b1b; }
channel > *, feed > *, item > *, entry > * { display: none; }
channel > title, feed > title { display: block; font-size: 1.8rem; font-weight: bold; margin: .5rem 0 1rem; }
channel > description, feed > subtitle { display: block; margin-bottom: 1rem; color: #444; }
item, entry { display: block; margin: 0 0 1.2rem; padding-bottom: 1rem; border-bottom: 1px solid #ddd; }
item > title, entry > title { display: block; font-size: 1.15rem; font-weight: bold; }
item > pubDate, entry > published { display: block; color: #666; font-size: .85rem; }
item > description, entry > summary { display: block; }
`;
