<?xml version="1.0" encoding="UTF-8"?>
<!-- Renders an Atom or RSS feed from feeds as a plain page when a browser opens it.
     Feed readers ignore the xml-stylesheet instruction that points here. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes"
      doctype-system="about:legacy-compat"/>

  <xsl:variable name="title" select="atom:feed/atom:title | rss/channel/title"/>
  <xsl:variable name="home"
      select="atom:feed/atom:link[@rel='alternate']/@href | rss/channel/link"/>

  <xsl:template match="/">
    <html>
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (web feed)</title>
        <style>
          body { font: 1.05rem/1.5 system-ui, sans-serif; max-width: 44rem; margin: 2rem auto;
                 padding: 0 1rem; color: #222; }
          .about { background: #fff8dc; border: 1px solid #e6d9a8; padding: .8rem 1rem; }
          a { color: #0645ad; } .meta { color: #555; font-size: .9rem; } li { margin: .6rem 0; }
        </style>
      </head>
      <body>
        <div class="about">
          <p><strong>This is a web feed</strong>, also known as an RSS or Atom feed.
          Subscribe by copying this page's address into your feed reader; it will then show
          you new articles as they are published.</p>
          <p>Not sure where to start? Any feed reader will do: many are free, on the web,
          on phones and on desktops.</p>
        </div>
        <h1><xsl:value-of select="$title"/></h1>
        <p><xsl:value-of select="atom:feed/atom:subtitle | rss/channel/description"/></p>
        <p><a href="{$home}">Visit the website</a></p>
        <h2>Latest</h2>
        <ul>
          <xsl:apply-templates select="atom:feed/atom:entry | rss/channel/item"/>
        </ul>
        <xsl:apply-templates select="atom:feed/atom:link[@rel='next-archive']"/>
        <xsl:apply-templates select="atom:feed/atom:link[@rel='prev-archive']"/>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li>
      <a href="{atom:link[not(@rel) or @rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a>
      <div class="meta"><xsl:value-of select="substring(atom:published, 1, 10)"/></div>
      <div><xsl:value-of select="atom:summary"/></div>
    </li>
  </xsl:template>

  <xsl:template match="atom:link[@rel='next-archive']">
    <p><a href="{@href}">Newer entries</a></p>
  </xsl:template>

  <xsl:template match="atom:link[@rel='prev-archive']">
    <p><a href="{@href}">Older entries</a></p>
  </xsl:template>

  <xsl:template match="item">
    <li>
      <a href="{link}"><xsl:value-of select="title"/></a>
      <div class="meta"><xsl:value-of select="pubDate"/></div>
      <div><xsl:value-of select="description"/></div>
    </li>
  </xsl:template>
</xsl:stylesheet>
