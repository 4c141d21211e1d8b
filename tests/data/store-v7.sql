-- A store written by feeds at schema version 7 (commit 1c5edcb): the bundled seeds with
-- mtimes of 2026-01-01T00:00:00Z, published at 2026-11-01T12:00:00Z (tests/test_migrations.py).
BEGIN TRANSACTION;
CREATE TABLE archive (             -- RFC 5005 archive pages: membership never moves
    feed TEXT NOT NULL,             -- the feed's stem: all, sections/x, authors/y
    page INTEGER NOT NULL,          -- 1 is the oldest
    seq INTEGER NOT NULL,           -- order of archiving, oldest first within a page
    entry_id TEXT NOT NULL,
    PRIMARY KEY (feed, entry_id)
) WITHOUT ROWID;
CREATE TABLE archive_heads (       -- pages 1..pages of a feed's archive exist, even if emptied
    feed TEXT PRIMARY KEY,
    pages INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE corrections (         -- archived entries edited: also in the subscription document
    feed TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    until TEXT NOT NULL,
    PRIMARY KEY (feed, entry_id)
) WITHOUT ROWID;
CREATE TABLE deployed (
    path TEXT PRIMARY KEY,          -- relative to the output folder
    size INTEGER NOT NULL,          -- the published file's, when it was uploaded
    mtime_ns INTEGER NOT NULL,
    md5 TEXT NOT NULL               -- of the object's body (its ETag)
) WITHOUT ROWID;
CREATE TABLE entries (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    key TEXT NOT NULL UNIQUE,
    origin TEXT UNIQUE,
    kind TEXT NOT NULL,
    headline TEXT NOT NULL,
    section TEXT NOT NULL,          -- JSON [name, slug]
    section_slug TEXT NOT NULL,
    authors TEXT NOT NULL,          -- JSON [[name, slug], ...]
    data TEXT NOT NULL,             -- JSON of the merged story
    content_hash TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    published TEXT NOT NULL,
    updated TEXT NOT NULL
);
INSERT INTO "entries" VALUES('tag:localhost,2026:entry/a-new-government-front-door-for-local-impact','a-new-government-front-door-for-local-impact','a new government front door for local impact',NULL,'teaser','A new government front door for local impact','["Children''s Services", "childrens-services"]','childrens-services','[["Bramwell Blower", "bramwell-blower"]]','{"kind": "teaser", "key": "a new government front door for local impact", "headline": "A new government front door for local impact", "section": {"name": "Children''s Services", "slug": "childrens-services"}, "authors": [{"name": "Bramwell Blower", "slug": "bramwell-blower"}], "date": "2025-11-14", "summary": "Bramwell Blower asks if the Government’s new Office for the Impact Economy can help business and local government partner together.", "paragraphs": [], "sources": ["003_710dfe4fad0154d6.txt"], "origin": null}','286906fa55b7f706f96ed2879ba05ef1f7be63251a32d570a98945da5081dba3','2026-01-01T00:00:00+00:00','2025-11-14T00:00:00+00:00','2025-11-14T00:00:00+00:00');
INSERT INTO "entries" VALUES('tag:localhost,2026:entry/council-leaders-failing-on-send-amid-soaring-demand-ccn-admits','council-leaders-failing-on-send-amid-soaring-demand-ccn-admits','council leaders ''failing'' on send amid soaring demand, ccn admits',NULL,'teaser','Council leaders ''failing'' on SEND amid soaring demand, CCN admits','["Children''s Services", "childrens-services"]','childrens-services','[]','{"kind": "teaser", "key": "council leaders ''failing'' on send amid soaring demand, ccn admits", "headline": "Council leaders ''failing'' on SEND amid soaring demand, CCN admits", "section": {"name": "Children''s Services", "slug": "childrens-services"}, "authors": [], "date": "2025-11-14", "summary": "Council leaders across the country are ‘failing'' to ensure that the needs of young people with special educational needs and disabilities (SEND) are met, the...", "paragraphs": [], "sources": ["003_710dfe4fad0154d6.txt"], "origin": null}','3386225d0b3b643f966ef23517dea1fac54c971feac3559d78ed14d35a0c3bcb','2026-01-01T00:00:00+00:00','2025-11-14T00:00:00+00:00','2025-11-14T00:00:00+00:00');
INSERT INTO "entries" VALUES('tag:localhost,2026:entry/councils-defend-child-abuse-approach-after-critical-report','councils-defend-child-abuse-approach-after-critical-report','councils defend child abuse approach after critical report','000_6213f4a63f5092ea.txt','article','Councils defend child abuse approach after critical report','["Children''s Services", "childrens-services"]','childrens-services','[["William Eichler", "william-eichler"]]','{"kind": "article", "key": "councils defend child abuse approach after critical report", "headline": "Councils defend child abuse approach after critical report", "section": {"name": "Children''s Services", "slug": "childrens-services"}, "authors": [{"name": "William Eichler", "slug": "william-eichler"}], "date": null, "summary": "Councils have insisted they take child exploitation ''very seriously'' after an inquiry identified ‘extensive failures’ in the way they tackle the crime.", "paragraphs": ["Councils have insisted they take child exploitation ''very seriously'' after an inquiry identified ‘extensive failures’ in the way they tackle the crime.", "A new report by the Independent Inquiry into Child Sexual Abuse warned there was a flawed assumption that child sexual exploitation was decreasing when, in reality, it often went unreported unless it was connected to other forms of criminal behaviour such as county lines.", "The report found perpetrators were finding new ways to groom their victims, including through mobile phones, social media and dating apps.", "It criticised local authorities for using language that downplays child sexual exploitation, such as describing children as being ‘at risk'' despite clear evidence of harm having occurred.", "The inquiry also discovered that none of the areas examined kept data on the ethnicity of victims and alleged perpetrators, which made it impossible to know whether any particular ethnic group was over-represented as perpetrators.", "A spokesperson for the Local Government Association said councils were ''committed to working with local safeguarding partnerships,'' adding: ''Councils want every child to be kept safe from harm and take incidents of child exploitation very seriously.''"], "sources": ["000_6213f4a63f5092ea.txt"], "origin": "000_6213f4a63f5092ea.txt"}','8ea3f25a2c7f8202f997f2cbc1c7a6ffba80f9bc9ff922dfef997d68b5eb564b','2026-01-01T00:00:00+00:00','2026-01-01T00:00:00+00:00','2026-01-01T00:00:00+00:00');
INSERT INTO "entries" VALUES('tag:localhost,2026:entry/councils-must-speak-out-on-increasing-tax-raising-powers','councils-must-speak-out-on-increasing-tax-raising-powers','councils must speak out on increasing tax-raising powers',NULL,'teaser','Councils must speak out on increasing tax-raising powers','["Children''s Services", "childrens-services"]','childrens-services','[["Rob Whiteman CBE", "rob-whiteman-cbe"]]','{"kind": "teaser", "key": "councils must speak out on increasing tax-raising powers", "headline": "Councils must speak out on increasing tax-raising powers", "section": {"name": "Children''s Services", "slug": "childrens-services"}, "authors": [{"name": "Rob Whiteman CBE", "slug": "rob-whiteman-cbe"}], "date": "2025-11-19", "summary": "As Rob Whiteman spells out local government’s three Budget priorities, he makes it clear: councils must take the lead in reforming services and rebalancing t...", "paragraphs": [], "sources": ["003_710dfe4fad0154d6.txt"], "origin": null}','732331fca52455533579332ea9f5a957cab7dc1a38531884a1e979c393930fba','2026-01-01T00:00:00+00:00','2025-11-19T00:00:00+00:00','2025-11-19T00:00:00+00:00');
INSERT INTO "entries" VALUES('tag:localhost,2026:entry/exclusive-home-office-trying-to-restore-sharing-of-asylum-data','exclusive-home-office-trying-to-restore-sharing-of-asylum-data','exclusive: home office trying to restore sharing of asylum data',NULL,'teaser','EXCLUSIVE: Home Office trying to restore sharing of asylum data','["Children''s Services", "childrens-services"]','childrens-services','[["Dan Peters", "dan-peters"]]','{"kind": "teaser", "key": "exclusive: home office trying to restore sharing of asylum data", "headline": "EXCLUSIVE: Home Office trying to restore sharing of asylum data", "section": {"name": "Children''s Services", "slug": "childrens-services"}, "authors": [{"name": "Dan Peters", "slug": "dan-peters"}], "date": "2026-02-12", "summary": "Senior Home Office officials have told councils they are trying to restore their access to information about asylum seeker accommodation after they started w...", "paragraphs": [], "sources": ["000_6213f4a63f5092ea.txt"], "origin": null}','8c041c2e5e2d1eb000523ecbd706fc567fcd0bcdc24fdfcbf371c392bda12d19','2026-01-01T00:00:00+00:00','2026-02-12T00:00:00+00:00','2026-02-12T00:00:00+00:00');
INSERT INTO "entries" VALUES('tag:localhost,2026:entry/fixing-the-easiest-win-in-care-spending','fixing-the-easiest-win-in-care-spending','fixing the easiest win in care spending',NULL,'teaser','Fixing the easiest win in care spending','["Children''s Services", "childrens-services"]','childrens-services','[["Tracie Langley", "tracie-langley"]]','{"kind": "teaser", "key": "fixing the easiest win in care spending", "headline": "Fixing the easiest win in care spending", "section": {"name": "Children''s Services", "slug": "childrens-services"}, "authors": [{"name": "Tracie Langley", "slug": "tracie-langley"}], "date": "2025-11-18", "summary": "A pioneering care staffing platform could save councils millions, topple agency dependence and put control back where it belongs – with providers and carers,...", "paragraphs": [], "sources": ["003_710dfe4fad0154d6.txt"], "origin": null}','996b0db31c0797f27c7094b92d703192c8adffeca2583c31cc90cd15f3ef3886','2026-01-01T00:00:00+00:00','2025-11-18T00:00:00+00:00','2025-11-18T00:00:00+00:00');
INSERT INTO "entries" VALUES('tag:localhost,2026:entry/london-needs-fewer-councils-as-part-of-a-broader-governance-reset-in-the-capital','london-needs-fewer-councils-as-part-of-a-broader-governance-reset-in-the-capital','london needs fewer councils as part of a broader governance reset in the capital',NULL,'teaser','London needs fewer councils as part of a broader governance reset in the capital','["Children''s Services", "childrens-services"]','childrens-services','[["Cory Berman", "cory-berman"]]','{"kind": "teaser", "key": "london needs fewer councils as part of a broader governance reset in the capital", "headline": "London needs fewer councils as part of a broader governance reset in the capital", "section": {"name": "Children''s Services", "slug": "childrens-services"}, "authors": [{"name": "Cory Berman", "slug": "cory-berman"}], "date": "2026-02-02", "summary": "Cutting the number of boroughs in London would enable the creation of the governance system the capital has been crying out for, say Dr Simon Kaye and Cory B...", "paragraphs": [], "sources": ["000_6213f4a63f5092ea.txt"], "origin": null}','1c8193fc6d356c9ef67c569b28d9f23ce3d5ac57347b02670add166231a1559b','2026-01-01T00:00:00+00:00','2026-02-02T00:00:00+00:00','2026-02-02T00:00:00+00:00');
INSERT INTO "entries" VALUES('tag:localhost,2026:entry/the-top-10-councils-powering-ahead-on-productivity','the-top-10-councils-powering-ahead-on-productivity','the top 10 councils powering ahead on productivity',NULL,'teaser','The Top 10 councils powering ahead on productivity','["Children''s Services", "childrens-services"]','childrens-services','[["Ann McGauran", "ann-mcgauran"]]','{"kind": "teaser", "key": "the top 10 councils powering ahead on productivity", "headline": "The Top 10 councils powering ahead on productivity", "section": {"name": "Children''s Services", "slug": "childrens-services"}, "authors": [{"name": "Ann McGauran", "slug": "ann-mcgauran"}], "date": "2026-02-05", "summary": "Local government’s leadership may be dealing with a maelstrom of challenges, but the councils whose productivity performance has earned them a place in the I...", "paragraphs": [], "sources": ["000_6213f4a63f5092ea.txt"], "origin": null}','e39f2fc890eb0e8a32f101b7e7f2dca47e20bc4fe8153a2682675007edfc6c1f','2026-01-01T00:00:00+00:00','2026-02-05T00:00:00+00:00','2026-02-05T00:00:00+00:00');
INSERT INTO "entries" VALUES('tag:localhost,2026:entry/why-chiefs-need-a-framework','why-chiefs-need-a-framework','why chiefs need a framework',NULL,'teaser','Why chiefs need a framework','["Children''s Services", "childrens-services"]','childrens-services','[["Pam Parkes", "pam-parkes"]]','{"kind": "teaser", "key": "why chiefs need a framework", "headline": "Why chiefs need a framework", "section": {"name": "Children''s Services", "slug": "childrens-services"}, "authors": [{"name": "Pam Parkes", "slug": "pam-parkes"}], "date": "2026-02-03", "summary": "There is no consistent professional framework for council chief executives. It’s time for a more honest examination of how their role is defined, governed an...", "paragraphs": [], "sources": ["000_6213f4a63f5092ea.txt"], "origin": null}','91095862ac2d698f4bbfddb82a4643af35691ac2c75b059812026f8e599dc9bd','2026-01-01T00:00:00+00:00','2026-02-03T00:00:00+00:00','2026-02-03T00:00:00+00:00');
INSERT INTO "entries" VALUES('tag:localhost,2026:entry/40m-for-cse-not-enough-councils','40m-for-cse-not-enough-councils','£40m for cse not enough - councils','003_710dfe4fad0154d6.txt','article','£40m for CSE not enough - councils','["Children''s Services", "childrens-services"]','childrens-services','[["William Eichler", "william-eichler"]]','{"kind": "article", "key": "£40m for cse not enough - councils", "headline": "£40m for CSE not enough - councils", "section": {"name": "Children''s Services", "slug": "childrens-services"}, "authors": [{"name": "William Eichler", "slug": "william-eichler"}], "date": null, "summary": "Councils have warned a £40m package of Government measures to protect children and young people from sexual abuse, exploitation and trafficking, is not enough.", "paragraphs": ["Councils have warned a £40m package of Government measures to protect children and young people from sexual abuse, exploitation and trafficking, is not enough.", "The measures include £7.5m until 2020 for a new centre of expertise on child sexual abuse - a consortium of health, law enforcement and social care experts who will be able to provide guidance for tackling abuse.", "There will also be £20m for the National Crime Agency to tackle online child sexual exploitation and £2.2m for organisations working to protect children at risk of trafficking.", "Home secretary Amber Rudd wrote: ‘The measures I am announcing today will further improve our ability to protect children and, under my watch, I am determined to bring those that would try to steal their childhood to justice.''", "Jenny Coles, of the Association of Directors of Children''s Services, said: ''We must also look to address the cultural, moral and social issues that sit at the heart of this abuse, for example, the over-sexualisation of children, young people and women in the media, as a matter of urgency.''", "The Local Government Association (LGA) warned more money and a ‘coordinated long-term strategy'' was needed to tackle child sexual exploitation.", "Chair of the LGA''s children and young people board, Cllr Richard Watts, said: ‘It is important the Government recognises the wider funding pressures facing social workers and others trying to deliver services for vulnerable children, with councils facing a £1.9bn funding gap in children''s services by 2020.", "‘While funding individual programmes of work is positive, a coordinated long-term strategy and funding to protect all children is vital.''"], "sources": ["003_710dfe4fad0154d6.txt"], "origin": "003_710dfe4fad0154d6.txt"}','07a82a9ded9e29086a06c6d3d469abf0e15d0fdfffceed3090ab4904c3929716','2026-01-01T00:00:00+00:00','2026-01-01T00:00:00+00:00','2026-01-01T00:00:00+00:00');
CREATE TABLE entry_authors (
    slug TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (slug, entry_id)
) WITHOUT ROWID;
INSERT INTO "entry_authors" VALUES('ann-mcgauran','tag:localhost,2026:entry/the-top-10-councils-powering-ahead-on-productivity','Ann McGauran');
INSERT INTO "entry_authors" VALUES('bramwell-blower','tag:localhost,2026:entry/a-new-government-front-door-for-local-impact','Bramwell Blower');
INSERT INTO "entry_authors" VALUES('cory-berman','tag:localhost,2026:entry/london-needs-fewer-councils-as-part-of-a-broader-governance-reset-in-the-capital','Cory Berman');
INSERT INTO "entry_authors" VALUES('dan-peters','tag:localhost,2026:entry/exclusive-home-office-trying-to-restore-sharing-of-asylum-data','Dan Peters');
INSERT INTO "entry_authors" VALUES('pam-parkes','tag:localhost,2026:entry/why-chiefs-need-a-framework','Pam Parkes');
INSERT INTO "entry_authors" VALUES('rob-whiteman-cbe','tag:localhost,2026:entry/councils-must-speak-out-on-increasing-tax-raising-powers','Rob Whiteman CBE');
INSERT INTO "entry_authors" VALUES('tracie-langley','tag:localhost,2026:entry/fixing-the-easiest-win-in-care-spending','Tracie Langley');
INSERT INTO "entry_authors" VALUES('william-eichler','tag:localhost,2026:entry/40m-for-cse-not-enough-councils','William Eichler');
INSERT INTO "entry_authors" VALUES('william-eichler','tag:localhost,2026:entry/councils-defend-child-abuse-approach-after-critical-report','William Eichler');
CREATE TABLE feed_ids (            -- each feed's atom:id, minted once
    feed TEXT PRIMARY KEY,
    id TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO "feed_ids" VALUES('all','tag:localhost,2026:feed/all');
INSERT INTO "feed_ids" VALUES('authors/ann-mcgauran','tag:localhost,2026:feed/authors/ann-mcgauran');
INSERT INTO "feed_ids" VALUES('authors/bramwell-blower','tag:localhost,2026:feed/authors/bramwell-blower');
INSERT INTO "feed_ids" VALUES('authors/cory-berman','tag:localhost,2026:feed/authors/cory-berman');
INSERT INTO "feed_ids" VALUES('authors/dan-peters','tag:localhost,2026:feed/authors/dan-peters');
INSERT INTO "feed_ids" VALUES('authors/pam-parkes','tag:localhost,2026:feed/authors/pam-parkes');
INSERT INTO "feed_ids" VALUES('authors/rob-whiteman-cbe','tag:localhost,2026:feed/authors/rob-whiteman-cbe');
INSERT INTO "feed_ids" VALUES('authors/tracie-langley','tag:localhost,2026:feed/authors/tracie-langley');
INSERT INTO "feed_ids" VALUES('authors/william-eichler','tag:localhost,2026:feed/authors/william-eichler');
INSERT INTO "feed_ids" VALUES('sections/childrens-services','tag:localhost,2026:feed/sections/childrens-services');
CREATE TABLE files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO "files" VALUES('all.atom',11255,1796058738481208960);
INSERT INTO "files" VALUES('all.json',11761,1796058738481208960);
INSERT INTO "files" VALUES('all.rss',10919,1796058738485208960);
INSERT INTO "files" VALUES('authors/ann-mcgauran.atom',1458,1796058738481208960);
INSERT INTO "files" VALUES('authors/ann-mcgauran.html',1831,1796058738481208960);
INSERT INTO "files" VALUES('authors/ann-mcgauran.json',1267,1796058738481208960);
INSERT INTO "files" VALUES('authors/ann-mcgauran.rss',1465,1796058738481208960);
INSERT INTO "files" VALUES('authors/bramwell-blower.atom',1429,1796058738461057733);
INSERT INTO "files" VALUES('authors/bramwell-blower.html',1830,1796058738472236518);
INSERT INTO "files" VALUES('authors/bramwell-blower.json',1206,1796058738472236518);
INSERT INTO "files" VALUES('authors/bramwell-blower.rss',1433,1796058738472236518);
INSERT INTO "files" VALUES('authors/cory-berman.atom',1540,1796058738477208960);
INSERT INTO "files" VALUES('authors/cory-berman.html',1876,1796058738477208960);
INSERT INTO "files" VALUES('authors/cory-berman.json',1348,1796058738477208960);
INSERT INTO "files" VALUES('authors/cory-berman.rss',1548,1796058738477208960);
INSERT INTO "files" VALUES('authors/dan-peters.atom',1481,1796058738485208960);
INSERT INTO "files" VALUES('authors/dan-peters.html',1829,1796058738485208960);
INSERT INTO "files" VALUES('authors/dan-peters.json',1290,1796058738485208960);
INSERT INTO "files" VALUES('authors/dan-peters.rss',1490,1796058738485208960);
INSERT INTO "files" VALUES('authors/pam-parkes.atom',1377,1796058738477208960);
INSERT INTO "files" VALUES('authors/pam-parkes.html',1759,1796058738477208960);
INSERT INTO "files" VALUES('authors/pam-parkes.json',1188,1796058738477208960);
INSERT INTO "files" VALUES('authors/pam-parkes.rss',1386,1796058738481208960);
INSERT INTO "files" VALUES('authors/rob-whiteman-cbe.atom',1500,1796058738473208960);
INSERT INTO "files" VALUES('authors/rob-whiteman-cbe.html',1896,1796058738473208960);
INSERT INTO "files" VALUES('authors/rob-whiteman-cbe.json',1305,1796058738473208960);
INSERT INTO "files" VALUES('authors/rob-whiteman-cbe.rss',1503,1796058738473208960);
INSERT INTO "files" VALUES('authors/tracie-langley.atom',1437,1796058738472236518);
INSERT INTO "files" VALUES('authors/tracie-langley.html',1836,1796058738472236518);
INSERT INTO "files" VALUES('authors/tracie-langley.json',1244,1796058738472236518);
INSERT INTO "files" VALUES('authors/tracie-langley.rss',1442,1796058738472236518);
INSERT INTO "files" VALUES('authors/william-eichler.atom',5431,1796058738473208960);
INSERT INTO "files" VALUES('authors/william-eichler.html',2292,1796058738473208960);
INSERT INTO "files" VALUES('authors/william-eichler.json',4828,1796058738473208960);
INSERT INTO "files" VALUES('authors/william-eichler.rss',5404,1796058738477208960);
INSERT INTO "files" VALUES('entries/40m-for-cse-not-enough-councils.html',3574,1796058738496304041);
INSERT INTO "files" VALUES('entries/a-new-government-front-door-for-local-impact.html',2078,1796058738496304041);
INSERT INTO "files" VALUES('entries/council-leaders-failing-on-send-amid-soaring-demand-ccn-admits.html',1637,1796058738496304041);
INSERT INTO "files" VALUES('entries/councils-defend-child-abuse-approach-after-critical-report.html',3175,1796058738496304041);
INSERT INTO "files" VALUES('entries/councils-must-speak-out-on-increasing-tax-raising-powers.html',2139,1796058738496304041);
INSERT INTO "files" VALUES('entries/exclusive-home-office-trying-to-restore-sharing-of-asylum-data.html',2103,1796058738496304041);
INSERT INTO "files" VALUES('entries/fixing-the-easiest-win-in-care-spending.html',2089,1796058738496304041);
INSERT INTO "files" VALUES('entries/london-needs-fewer-councils-as-part-of-a-broader-governance-reset-in-the-capital.html',2144,1796058738496304041);
INSERT INTO "files" VALUES('entries/the-top-10-councils-powering-ahead-on-productivity.html',2094,1796058738496304041);
INSERT INTO "files" VALUES('entries/why-chiefs-need-a-framework.html',2032,1796058738496304041);
INSERT INTO "files" VALUES('feed.xsl',3011,1796058738505208961);
INSERT INTO "files" VALUES('feeds-json.opml',2343,1796058738503798287);
INSERT INTO "files" VALUES('feeds.opml',2331,1796058738503798287);
INSERT INTO "files" VALUES('index.html',13635,1796058738503798287);
INSERT INTO "files" VALUES('sections/childrens-services.atom',11368,1796058738485208960);
INSERT INTO "files" VALUES('sections/childrens-services.html',5897,1796058738485208960);
INSERT INTO "files" VALUES('sections/childrens-services.json',11850,1796058738485208960);
INSERT INTO "files" VALUES('sections/childrens-services.rss',11008,1796058738485208960);
CREATE TABLE outputs (              -- files we own under the output folder
    path TEXT PRIMARY KEY,
    input_hash TEXT NOT NULL
);
INSERT INTO "outputs" VALUES('all.atom','0dd6f845aea707da7ebfd66b87e03de801b87cd7f9a03769dcf61a642b498084');
INSERT INTO "outputs" VALUES('all.json','af8bcbc70560567c0a2df1535d769808bf1bf0a85ff43f3a200863a3c23124a7');
INSERT INTO "outputs" VALUES('all.rss','e1951bb7677ca7904ed21d7bf73703d0ec3aad989920e337ebb988650d77a96d');
INSERT INTO "outputs" VALUES('authors/ann-mcgauran.atom','9d14c0d025a77f05c086071b6ee85621ab33b8b60622c87954be35892468ea13');
INSERT INTO "outputs" VALUES('authors/ann-mcgauran.html','c260c5db1d3823b277c76b158831e571a513bb8264d4d573dc370aa865260910');
INSERT INTO "outputs" VALUES('authors/ann-mcgauran.json','df198d535ffde1aaf3477e631e03b9180185f3a09b1788b04b23e3e913402f29');
INSERT INTO "outputs" VALUES('authors/ann-mcgauran.rss','f01cbb6c2f7542966083067108f22e615d7a9637466f5f0197f2ad142cce0d2d');
INSERT INTO "outputs" VALUES('authors/bramwell-blower.atom','ce70d6f7a4e0ee2a54b889c0cfe1f45e38434da61053a043cf70a4fde4ee8a31');
INSERT INTO "outputs" VALUES('authors/bramwell-blower.html','75b7f5442a6770fa6b369f61aa82b9675151ec6766787ed17c715ce6a6a6870f');
INSERT INTO "outputs" VALUES('authors/bramwell-blower.json','52ee1ffd624b7b00c2d382efe115a794ba7036c4b053363e55573027ed9b3c90');
INSERT INTO "outputs" VALUES('authors/bramwell-blower.rss','cf477ea2381108a406f3d8db5bfe61b17e6b3a9a2260d45627584129e57a60e6');
INSERT INTO "outputs" VALUES('authors/cory-berman.atom','8ccafd292cc8d564ab1b2184f8d396efa1db850803c9eb65212eb6a4268b28a8');
INSERT INTO "outputs" VALUES('authors/cory-berman.html','882ea9f7a585f239c8049aeb903a0f8c224f96518f4f944d2e7f0f5e2e47e79c');
INSERT INTO "outputs" VALUES('authors/cory-berman.json','2e9247be4a0e34a69257f00f59ab5f9b649e3fdca0729f73ad53dd2a3482b5d6');
INSERT INTO "outputs" VALUES('authors/cory-berman.rss','890252dabcb5bbff58a284c9c282d58dc2271927268432976d00f402d5e20ef9');
INSERT INTO "outputs" VALUES('authors/dan-peters.atom','bf676152a109acbe4b44ba09c318f303f36b7154b2b39777a623f5d539b13daf');
INSERT INTO "outputs" VALUES('authors/dan-peters.html','0f128dff40f4657f071e04a0fd3e0d8b95528144e56842ee9b979929548a2f95');
INSERT INTO "outputs" VALUES('authors/dan-peters.json','4889870b54722791e70feb4021d0984f0a25d9f106da4ac7b8ce19097f5cc178');
INSERT INTO "outputs" VALUES('authors/dan-peters.rss','4f78d656a46341499791c39c88b117adaebf27d0f2a149338b4a937f1759082f');
INSERT INTO "outputs" VALUES('authors/pam-parkes.atom','1f63826b29ff8a51e25c187714a0d5bb167a917a10710fad296abd8abf715d0a');
INSERT INTO "outputs" VALUES('authors/pam-parkes.html','01c1aab4c41dca24103b4afe3d11a6e85758b357ce14d75724ec157ac5a443c2');
INSERT INTO "outputs" VALUES('authors/pam-parkes.json','9f0615609dbdcf3907675b8c7f7f80397cc7617356580365ea374f9111df7e0a');
INSERT INTO "outputs" VALUES('authors/pam-parkes.rss','b26b70e2ec2c4fbaebad0f6054f5b8ad5b5aa648e2311d520c4a0416b95f7acc');
INSERT INTO "outputs" VALUES('authors/rob-whiteman-cbe.atom','4a4717799ffb25b7808bf7674313e2df7e44aa661cfc9013ea99642f402a4c62');
INSERT INTO "outputs" VALUES('authors/rob-whiteman-cbe.html','155a5348f9f016fb45129f7d32b5d9d22f7e15c79a07c1206f3ed664a68889e1');
INSERT INTO "outputs" VALUES('authors/rob-whiteman-cbe.json','4f1656473b1397dabc1b87613d22f9362489fcf75fb1d0e1362f5aa5c77e908a');
INSERT INTO "outputs" VALUES('authors/rob-whiteman-cbe.rss','308a38590c7911854b1154690d199eff8926f94f1568e438b48d4c196aba5851');
INSERT INTO "outputs" VALUES('authors/tracie-langley.atom','5ad35be3f2d41dbdc14abbc3576c5692372ca6aaee52bcaae4ed62d45ff1f981');
INSERT INTO "outputs" VALUES('authors/tracie-langley.html','be918f3245309d1c6a2d64d8767a982919b654fbae49bba2bf6851ee5a6c6546');
INSERT INTO "outputs" VALUES('authors/tracie-langley.json','4594950752e016f26042b2991378f2c5998a9c3b6b7ccc30d1358fd78f80f0f8');
INSERT INTO "outputs" VALUES('authors/tracie-langley.rss','8b065c1bc05c7a55480a7aa6d60dc1b5bdced7d94d3d46886e259f92de83902c');
INSERT INTO "outputs" VALUES('authors/william-eichler.atom','f0b17da73836af619cb0363b957f0d3f0df54c0a0fd382e28f9e96fd415863df');
INSERT INTO "outputs" VALUES('authors/william-eichler.html','4d1c19ace3140228edd58676fb7b90067bafa9ef799959569eb727dd3829ce9e');
INSERT INTO "outputs" VALUES('authors/william-eichler.json','216323fea1c0eb052ade9ecf6b86ef4a6600ee326eb02942be0ffd40dbc0df6b');
INSERT INTO "outputs" VALUES('authors/william-eichler.rss','767506a9b80d5d83ce3bcf9d6702131a0aaeb2035ae33e440394b499ad521aff');
INSERT INTO "outputs" VALUES('feed.xsl','0701467ef8b5022a7e5b726413feef574141bc2493a181685ead985066f13643');
INSERT INTO "outputs" VALUES('feeds-json.opml','a3e6b99df37860d42b8fb5f1b1920beed89e0bc15662f992ae1dfc82e9598c81');
INSERT INTO "outputs" VALUES('feeds.opml','a3e6b99df37860d42b8fb5f1b1920beed89e0bc15662f992ae1dfc82e9598c81');
INSERT INTO "outputs" VALUES('index.html','7e93b95e04595bd9aae0462fa93d1f858625d30bd5b3bcec298454788a477743');
INSERT INTO "outputs" VALUES('sections/childrens-services.atom','db558bada8c19a8823039137d6c9e9b29b9326a964a6634323b89454cb0f4320');
INSERT INTO "outputs" VALUES('sections/childrens-services.html','f92eff21707dda107e2ecebfecafb087a4b81b0e50757703446af9bd831626a3');
INSERT INTO "outputs" VALUES('sections/childrens-services.json','35c3db56644e78f1d7775252b9327e07935e2c44fbc27f9c219f632bc479399d');
INSERT INTO "outputs" VALUES('sections/childrens-services.rss','394dace169164fbc503c427bd0bd5f4bfd61c41e623a66e3d03169f358fc8388');
CREATE TABLE pending_pings (       -- WebSub pings that did not go out: the latest per topic
    hub TEXT NOT NULL,
    topic TEXT NOT NULL,
    PRIMARY KEY (hub, topic)
) WITHOUT ROWID;
CREATE TABLE seeds (
    path TEXT PRIMARY KEY,          -- relative to the seeds folder
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    error TEXT                      -- the current rejection, NULL when parsed
);
INSERT INTO "seeds" VALUES('000_6213f4a63f5092ea.txt',2635,1767225600000000000,'f1735b796b8b6a482299918931b1319a674869bb44b673c92212dd60817018db',NULL);
INSERT INTO "seeds" VALUES('003_710dfe4fad0154d6.txt',3001,1767225600000000000,'a44eea1e34ef55ed68e271b97a835768f828edcf77a6cb3fa788c4e42cab7808',NULL);
CREATE TABLE status (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO "status" VALUES('deploy_needed','1');
INSERT INTO "status" VALUES('files_complete','1');
INSERT INTO "status" VALUES('last_publish_error','');
INSERT INTO "status" VALUES('last_run','2026-11-01T12:00:00+00:00');
INSERT INTO "status" VALUES('max_authors','20');
INSERT INTO "status" VALUES('render_fingerprint','3:a4f804713eb0a93529817340576fb26ad2aa5835ccdbbd913ef2b48e769f5d65');
INSERT INTO "status" VALUES('last_publish','2026-11-01T12:00:00+00:00');
CREATE TABLE stories (              -- the last good parse of each seed
    source TEXT NOT NULL,
    position INTEGER NOT NULL,      -- 0 the article, then its teasers
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (source, position)
);
INSERT INTO "stories" VALUES('000_6213f4a63f5092ea.txt',0,'councils defend child abuse approach after critical report','{"kind": "article", "key": "councils defend child abuse approach after critical report", "headline": "Councils defend child abuse approach after critical report", "section": {"name": "Children''s Services", "slug": "childrens-services"}, "authors": [{"name": "William Eichler", "slug": "william-eichler"}], "date": null, "summary": "Councils have insisted they take child exploitation ''very seriously'' after an inquiry identified ‘extensive failures’ in the way they tackle the crime.", "paragraphs": ["Councils have insisted they take child exploitation ''very seriously'' after an inquiry identified ‘extensive failures’ in the way they tackle the crime.", "A new report by the Independent Inquiry into Child Sexual Abuse warned there was a flawed assumption that child sexual exploitation was decreasing when, in reality, it often went unreported unless it was connected to other forms of criminal behaviour such as county lines.", "The report found perpetrators were finding new ways to groom their victims, including through mobile phones, social media and dating apps.", "It criticised local authorities for using language that downplays child sexual exploitation, such as describing children as being ‘at risk'' despite clear evidence of harm having occurred.", "The inquiry also discovered that none of the areas examined kept data on the ethnicity of victims and alleged perpetrators, which made it impossible to know whether any particular ethnic group was over-represented as perpetrators.", "A spokesperson for the Local Government Association said councils were ''committed to working with local safeguarding partnerships,'' adding: ''Councils want every child to be kept safe from harm and take incidents of child exploitation very seriously.''"], "source": "000_6213f4a63f5092ea.txt", "line": 5}');
INSERT INTO "stories" VALUES('000_6213f4a63f5092ea.txt',1,'exclusive: home office trying to restore sharing of asylum data','{"kind": "teaser", "key": "exclusive: home office trying to restore sharing of asylum data", "headline": "EXCLUSIVE: Home Office trying to restore sharing of asylum data", "section": {"name": "Children''s Services", "slug": "childrens-services"}, "authors": [{"name": "Dan Peters", "slug": "dan-peters"}], "date": "2026-02-12", "summary": "Senior Home Office officials have told councils they are trying to restore their access to information about asylum seeker accommodation after they started w...", "paragraphs": [], "source": "000_6213f4a63f5092ea.txt", "line": 23}');
INSERT INTO "stories" VALUES('000_6213f4a63f5092ea.txt',2,'the top 10 councils powering ahead on productivity','{"kind": "teaser", "key": "the top 10 councils powering ahead on productivity", "headline": "The Top 10 councils powering ahead on productivity", "section": {"name": "Children''s Services", "slug": "childrens-services"}, "authors": [{"name": "Ann McGauran", "slug": "ann-mcgauran"}], "date": "2026-02-05", "summary": "Local government’s leadership may be dealing with a maelstrom of challenges, but the councils whose productivity performance has earned them a place in the I...", "paragraphs": [], "source": "000_6213f4a63f5092ea.txt", "line": 31}');
INSERT INTO "stories" VALUES('000_6213f4a63f5092ea.txt',3,'why chiefs need a framework','{"kind": "teaser", "key": "why chiefs need a framework", "headline": "Why chiefs need a framework", "section": {"name": "Children''s Services", "slug": "childrens-services"}, "authors": [{"name": "Pam Parkes", "slug": "pam-parkes"}], "date": "2026-02-03", "summary": "There is no consistent professional framework for council chief executives. It’s time for a more honest examination of how their role is defined, governed an...", "paragraphs": [], "source": "000_6213f4a63f5092ea.txt", "line": 39}');
INSERT INTO "stories" VALUES('000_6213f4a63f5092ea.txt',4,'london needs fewer councils as part of a broader governance reset in the capital','{"kind": "teaser", "key": "london needs fewer councils as part of a broader governance reset in the capital", "headline": "London needs fewer councils as part of a broader governance reset in the capital", "section": {"name": "Children''s Services", "slug": "childrens-services"}, "authors": [{"name": "Cory Berman", "slug": "cory-berman"}], "date": "2026-02-02", "summary": "Cutting the number of boroughs in London would enable the creation of the governance system the capital has been crying out for, say Dr Simon Kaye and Cory B...", "paragraphs": [], "source": "000_6213f4a63f5092ea.txt", "line": 47}');
INSERT INTO "stories" VALUES('003_710dfe4fad0154d6.txt',0,'£40m for cse not enough - councils','{"kind": "article", "key": "£40m for cse not enough - councils", "headline": "£40m for CSE not enough - councils", "section": {"name": "Children''s Services", "slug": "childrens-services"}, "authors": [{"name": "William Eichler", "slug": "william-eichler"}], "date": null, "summary": "Councils have warned a £40m package of Government measures to protect children and young people from sexual abuse, exploitation and trafficking, is not enough.", "paragraphs": ["Councils have warned a £40m package of Government measures to protect children and young people from sexual abuse, exploitation and trafficking, is not enough.", "The measures include £7.5m until 2020 for a new centre of expertise on child sexual abuse - a consortium of health, law enforcement and social care experts who will be able to provide guidance for tackling abuse.", "There will also be £20m for the National Crime Agency to tackle online child sexual exploitation and £2.2m for organisations working to protect children at risk of trafficking.", "Home secretary Amber Rudd wrote: ‘The measures I am announcing today will further improve our ability to protect children and, under my watch, I am determined to bring those that would try to steal their childhood to justice.''", "Jenny Coles, of the Association of Directors of Children''s Services, said: ''We must also look to address the cultural, moral and social issues that sit at the heart of this abuse, for example, the over-sexualisation of children, young people and women in the media, as a matter of urgency.''", "The Local Government Association (LGA) warned more money and a ‘coordinated long-term strategy'' was needed to tackle child sexual exploitation.", "Chair of the LGA''s children and young people board, Cllr Richard Watts, said: ‘It is important the Government recognises the wider funding pressures facing social workers and others trying to deliver services for vulnerable children, with councils facing a £1.9bn funding gap in children''s services by 2020.", "‘While funding individual programmes of work is positive, a coordinated long-term strategy and funding to protect all children is vital.''"], "source": "003_710dfe4fad0154d6.txt", "line": 5}');
INSERT INTO "stories" VALUES('003_710dfe4fad0154d6.txt',1,'councils must speak out on increasing tax-raising powers','{"kind": "teaser", "key": "councils must speak out on increasing tax-raising powers", "headline": "Councils must speak out on increasing tax-raising powers", "section": {"name": "Children''s Services", "slug": "childrens-services"}, "authors": [{"name": "Rob Whiteman CBE", "slug": "rob-whiteman-cbe"}], "date": "2025-11-19", "summary": "As Rob Whiteman spells out local government’s three Budget priorities, he makes it clear: councils must take the lead in reforming services and rebalancing t...", "paragraphs": [], "source": "003_710dfe4fad0154d6.txt", "line": 27}');
INSERT INTO "stories" VALUES('003_710dfe4fad0154d6.txt',2,'fixing the easiest win in care spending','{"kind": "teaser", "key": "fixing the easiest win in care spending", "headline": "Fixing the easiest win in care spending", "section": {"name": "Children''s Services", "slug": "childrens-services"}, "authors": [{"name": "Tracie Langley", "slug": "tracie-langley"}], "date": "2025-11-18", "summary": "A pioneering care staffing platform could save councils millions, topple agency dependence and put control back where it belongs – with providers and carers,...", "paragraphs": [], "source": "003_710dfe4fad0154d6.txt", "line": 35}');
INSERT INTO "stories" VALUES('003_710dfe4fad0154d6.txt',3,'a new government front door for local impact','{"kind": "teaser", "key": "a new government front door for local impact", "headline": "A new government front door for local impact", "section": {"name": "Children''s Services", "slug": "childrens-services"}, "authors": [{"name": "Bramwell Blower", "slug": "bramwell-blower"}], "date": "2025-11-14", "summary": "Bramwell Blower asks if the Government’s new Office for the Impact Economy can help business and local government partner together.", "paragraphs": [], "source": "003_710dfe4fad0154d6.txt", "line": 43}');
INSERT INTO "stories" VALUES('003_710dfe4fad0154d6.txt',4,'council leaders ''failing'' on send amid soaring demand, ccn admits','{"kind": "teaser", "key": "council leaders ''failing'' on send amid soaring demand, ccn admits", "headline": "Council leaders ''failing'' on SEND amid soaring demand, CCN admits", "section": {"name": "Children''s Services", "slug": "childrens-services"}, "authors": [], "date": "2025-11-14", "summary": "Council leaders across the country are ‘failing'' to ensure that the needs of young people with special educational needs and disabilities (SEND) are met, the...", "paragraphs": [], "source": "003_710dfe4fad0154d6.txt", "line": 51}');
CREATE TABLE tombstones (          -- RFC 6721 deleted entries, per feed that carried them
    feed TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    deleted TEXT NOT NULL,
    PRIMARY KEY (feed, entry_id)
) WITHOUT ROWID;
CREATE INDEX stories_by_key ON stories (key);
CREATE INDEX entry_authors_by_entry ON entry_authors (entry_id);
CREATE INDEX archive_by_page ON archive (feed, page, seq);
CREATE INDEX archive_by_entry ON archive (entry_id);
CREATE INDEX entries_by_section_name ON entries (section_slug, kind, section);
CREATE INDEX seeds_rejected ON seeds (path) WHERE error IS NOT NULL;
CREATE INDEX entries_feed_columns ON entries (id, updated, content_hash, published, kind);
CREATE INDEX entries_by_published ON entries (published DESC, id, content_hash, updated, kind);
CREATE INDEX entries_by_section
    ON entries (section_slug, published DESC, id, content_hash, updated, kind);
COMMIT;
PRAGMA application_id = 1717921124;
PRAGMA user_version = 7;
