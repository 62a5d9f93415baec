import { PAGE_SUMMARY_CHARS } from './render-output-page.js';

/**
 * XSLT 1.0 that renders rss.xml and atom.xml as a readable page when a person opens a feed in a
 * browser, instead of raw XML. Feed readers ignore it. Every feed references it with
 * <?xml-stylesheet type="text/xsl"?>, served from the same host (browsers require that). Chromium
 * is removing XSLT: each feed folder also has an index.html that needs none, which this view links.
 */
export const FEED_STYLESHEET = `<?xml version="1.0" encoding="utf-8"?>
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom"
  xmlns:feedmirror="https://feedmirror.org/ns/1.0"
  exclude-result-prefixes="atom feedmirror">
  <xsl:output method="html" encoding="utf-8" indent="yes" doctype-system="about:legacy-compat"/>

  <!-- Characters of a summary shown, as on the feed's web page; longer ones are cut at a word. -->
  <xsl:variable name="summary-chars" select="${PAGE_SUMMARY_CHARS}"/>
  <!-- Escaped text read before unescaping: bounds the recursion whatever a summary holds. -->
  <xsl:variable name="escaped-chars" select="${PAGE_SUMMARY_CHARS * 4}"/>
  <xsl:variable name="months" select="'JanFebMarAprMayJunJulAugSepOctNovDec'"/>

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
          .date,.more{color:#666;font-size:.85rem}
          a{color:#0b5cad}
          @media (prefers-color-scheme:dark){body{background:#161616;color:#e8e8e8}.about{background:#1f2a36}a{color:#7fb6ff}.date,.more{color:#aaa}}
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
    <xsl:call-template name="about"><xsl:with-param name="self" select="atom:link[@rel='self']/@href"/></xsl:call-template>
    <ol>
      <xsl:for-each select="item">
        <!-- dir="auto": an item in Arabic or Hebrew is laid out right to left. -->
        <li dir="auto">
          <a href="{link}">
            <!-- A title holding something like a tag is written escaped (render-rss.ts); any other is plain text. -->
            <xsl:choose>
              <xsl:when test="contains(title, '&amp;lt;')"><xsl:call-template name="unescape"><xsl:with-param name="text" select="title"/></xsl:call-template></xsl:when>
              <xsl:otherwise><xsl:value-of select="title"/></xsl:otherwise>
            </xsl:choose>
          </a>
          <div class="date">
            <xsl:call-template name="rss-date"><xsl:with-param name="date" select="pubDate"/></xsl:call-template>
            <xsl:if test="source"> · <xsl:value-of select="source"/></xsl:if>
          </div>
          <div class="summary"><xsl:call-template name="excerpt"><xsl:with-param name="escaped" select="description"/></xsl:call-template></div>
          <xsl:call-template name="elsewhere"/>
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
        <li dir="auto">
          <xsl:if test="@xml:lang"><xsl:attribute name="lang"><xsl:value-of select="@xml:lang"/></xsl:attribute></xsl:if>
          <!-- Entry titles and summaries are type="html": escaped text. -->
          <a href="{atom:link[not(@rel) or @rel='alternate'][1]/@href}"><xsl:call-template name="unescape"><xsl:with-param name="text" select="atom:title"/></xsl:call-template></a>
          <div class="date">
            <xsl:call-template name="iso-date"><xsl:with-param name="date" select="atom:published"/></xsl:call-template>
            <xsl:if test="atom:source/atom:title"> · <xsl:value-of select="atom:source/atom:title"/></xsl:if>
          </div>
          <div class="summary"><xsl:call-template name="excerpt"><xsl:with-param name="escaped" select="atom:summary"/></xsl:call-template></div>
          <xsl:call-template name="elsewhere"/>
        </li>
      </xsl:for-each>
    </ol>
  </xsl:template>

  <xsl:template name="about">
    <xsl:param name="self"/>
    <xsl:variable name="folder"><xsl:call-template name="folder-of"><xsl:with-param name="url" select="$self"/></xsl:call-template></xsl:variable>
    <p class="about">This is a web feed. Copy its address into a feed reader to subscribe:
      <code><xsl:value-of select="$self"/></code></p>
    <p class="more">Also as a <a class="page" href="{$folder}">web page</a>, which needs no XSLT.</p>
  </xsl:template>

  <!-- The item's other addresses (rel="duplicate") and its publisher's hosts, as links. -->
  <xsl:template name="elsewhere">
    <xsl:if test="atom:link[@rel='duplicate']">
      <div class="more">Also at:
        <xsl:for-each select="atom:link[@rel='duplicate']">
          <xsl:if test="position() &gt; 1">, </xsl:if>
          <a href="{@href}"><xsl:value-of select="substring-before(concat(substring-after(@href, '://'), '/'), '/')"/></a>
        </xsl:for-each>
      </div>
    </xsl:if>
    <xsl:for-each select="feedmirror:publisher[feedmirror:host]">
      <div class="more"><xsl:value-of select="@name"/>:
        <xsl:for-each select="feedmirror:host">
          <xsl:if test="position() &gt; 1">, </xsl:if>
          <xsl:variable name="scheme"><xsl:choose><xsl:when test="contains(., '.onion')">http</xsl:when><xsl:otherwise>https</xsl:otherwise></xsl:choose></xsl:variable>
          <a href="{concat($scheme, '://', ., '/')}"><xsl:value-of select="."/></a>
        </xsl:for-each>
      </div>
    </xsl:for-each>
  </xsl:template>

  <!-- "Thu, 15 Dec 2016 12:00:00 GMT" (as render-rss.ts writes it) → "15 Dec 2016, 12:00 UTC". -->
  <xsl:template name="rss-date">
    <xsl:param name="date"/>
    <xsl:choose>
      <xsl:when test="string-length($date) = 29 and substring($date, 27) = 'GMT'">
        <xsl:value-of select="concat(number(substring($date, 6, 2)), ' ', substring($date, 9, 3), ' ', substring($date, 13, 4), ', ', substring($date, 18, 5), ' UTC')"/>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$date"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- "2016-12-15T12:00:00.000Z" → "15 Dec 2016, 12:00 UTC". -->
  <xsl:template name="iso-date">
    <xsl:param name="date"/>
    <xsl:variable name="month" select="number(substring($date, 6, 2))"/>
    <xsl:choose>
      <xsl:when test="substring($date, 11, 1) = 'T' and $month &gt;= 1 and $month &lt;= 12">
        <xsl:value-of select="concat(number(substring($date, 9, 2)), ' ', substring($months, ($month - 1) * 3 + 1, 3), ' ', substring($date, 1, 4), ', ', substring($date, 12, 5), ' UTC')"/>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$date"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- An escaped summary as plain text, cut at a word with an ellipsis when longer than summary-chars. -->
  <xsl:template name="excerpt">
    <xsl:param name="escaped"/>
    <xsl:variable name="unescaped"><xsl:call-template name="unescape"><xsl:with-param name="text" select="substring($escaped, 1, $escaped-chars)"/></xsl:call-template></xsl:variable>
    <xsl:variable name="text" select="normalize-space($unescaped)"/>
    <xsl:choose>
      <xsl:when test="string-length($text) &lt;= $summary-chars and string-length($escaped) &lt;= $escaped-chars"><xsl:value-of select="$text"/></xsl:when>
      <xsl:otherwise>
        <xsl:variable name="cut" select="substring($text, 1, $summary-chars - 1)"/>
        <xsl:variable name="words"><xsl:call-template name="before-last-space"><xsl:with-param name="text" select="$cut"/></xsl:call-template></xsl:variable>
        <!-- Text without spaces (Chinese, Japanese, a long URL) is cut where it reaches the limit. -->
        <xsl:choose>
          <xsl:when test="string-length($words) &gt; $summary-chars * 0.6"><xsl:value-of select="$words"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="$cut"/></xsl:otherwise>
        </xsl:choose>
        <xsl:text>…</xsl:text>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="before-last-space">
    <xsl:param name="text"/>
    <xsl:if test="contains($text, ' ')">
      <xsl:value-of select="substring-before($text, ' ')"/>
      <xsl:if test="contains(substring-after($text, ' '), ' ')">
        <xsl:text> </xsl:text>
        <xsl:call-template name="before-last-space"><xsl:with-param name="text" select="substring-after($text, ' ')"/></xsl:call-template>
      </xsl:if>
    </xsl:if>
  </xsl:template>

  <!-- The entities our feeds escape text with (&amp; &lt; &gt; &quot;), one pass, one call per "&". -->
  <xsl:template name="unescape">
    <xsl:param name="text"/>
    <xsl:choose>
      <xsl:when test="contains($text, '&amp;')">
        <xsl:value-of select="substring-before($text, '&amp;')"/>
        <xsl:variable name="rest" select="substring-after($text, '&amp;')"/>
        <xsl:choose>
          <xsl:when test="starts-with($rest, 'amp;')">&amp;<xsl:call-template name="unescape"><xsl:with-param name="text" select="substring($rest, 5)"/></xsl:call-template></xsl:when>
          <xsl:when test="starts-with($rest, 'lt;')">&lt;<xsl:call-template name="unescape"><xsl:with-param name="text" select="substring($rest, 4)"/></xsl:call-template></xsl:when>
          <xsl:when test="starts-with($rest, 'gt;')">&gt;<xsl:call-template name="unescape"><xsl:with-param name="text" select="substring($rest, 4)"/></xsl:call-template></xsl:when>
          <xsl:when test="starts-with($rest, 'quot;')">"<xsl:call-template name="unescape"><xsl:with-param name="text" select="substring($rest, 6)"/></xsl:call-template></xsl:when>
          <xsl:otherwise>&amp;<xsl:call-template name="unescape"><xsl:with-param name="text" select="$rest"/></xsl:call-template></xsl:otherwise>
        </xsl:choose>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- "https://host/all/rss.xml" → "https://host/all/": the folder whose index.html is the feed's web page. -->
  <xsl:template name="folder-of">
    <xsl:param name="url"/>
    <xsl:if test="contains($url, '/')">
      <xsl:value-of select="concat(substring-before($url, '/'), '/')"/>
      <xsl:call-template name="folder-of"><xsl:with-param name="url" select="substring-after($url, '/')"/></xsl:call-template>
    </xsl:if>
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
