# ruff: noqa: E501 — XML samples keep the long lines the tools write
"""ReqIF documents shaped like the exports of real tools (what each writes, cut down to a few objects)."""

from __future__ import annotations

_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'

# IBM DOORS (ReqIF 1.0 export): ReqIF.ForeignID / ReqIF.Text (XHTML) / ReqIF.ChapterName, an enumeration
# for the priority, a date, and a relation type for links between objects.
DOORS = (
    _HEAD
    + """<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd" xmlns:xhtml="http://www.w3.org/1999/xhtml">
  <THE-HEADER>
    <REQ-IF-HEADER IDENTIFIER="_hdr">
      <CREATION-TIME>2026-01-12T10:00:00+01:00</CREATION-TIME>
      <REQ-IF-TOOL-ID>IBM Rational DOORS</REQ-IF-TOOL-ID>
      <REQ-IF-VERSION>1.0</REQ-IF-VERSION>
      <SOURCE-TOOL-ID>DOORS 9.7</SOURCE-TOOL-ID>
      <TITLE>CCTP Guichet usagers</TITLE>
    </REQ-IF-HEADER>
  </THE-HEADER>
  <CORE-CONTENT>
    <REQ-IF-CONTENT>
      <DATATYPES>
        <DATATYPE-DEFINITION-STRING IDENTIFIER="_dt_str" LAST-CHANGE="2026-01-12T10:00:00+01:00" LONG-NAME="String" MAX-LENGTH="4096"/>
        <DATATYPE-DEFINITION-XHTML IDENTIFIER="_dt_xhtml" LAST-CHANGE="2026-01-12T10:00:00+01:00" LONG-NAME="XHTML"/>
        <DATATYPE-DEFINITION-DATE IDENTIFIER="_dt_date" LAST-CHANGE="2026-01-12T10:00:00+01:00" LONG-NAME="Date"/>
        <DATATYPE-DEFINITION-ENUMERATION IDENTIFIER="_dt_prio" LAST-CHANGE="2026-01-12T10:00:00+01:00" LONG-NAME="Priorities">
          <SPECIFIED-VALUES>
            <ENUM-VALUE IDENTIFIER="_ev_high" LAST-CHANGE="2026-01-12T10:00:00+01:00" LONG-NAME="High">
              <PROPERTIES><EMBEDDED-VALUE KEY="1" OTHER-CONTENT=""/></PROPERTIES>
            </ENUM-VALUE>
            <ENUM-VALUE IDENTIFIER="_ev_low" LAST-CHANGE="2026-01-12T10:00:00+01:00" LONG-NAME="Low">
              <PROPERTIES><EMBEDDED-VALUE KEY="3" OTHER-CONTENT=""/></PROPERTIES>
            </ENUM-VALUE>
          </SPECIFIED-VALUES>
        </DATATYPE-DEFINITION-ENUMERATION>
      </DATATYPES>
      <SPEC-TYPES>
        <SPEC-OBJECT-TYPE IDENTIFIER="_sot" LAST-CHANGE="2026-01-12T10:00:00+01:00" LONG-NAME="Requirement Type">
          <SPEC-ATTRIBUTES>
            <ATTRIBUTE-DEFINITION-STRING IDENTIFIER="_ad_id" LAST-CHANGE="2026-01-12T10:00:00+01:00" LONG-NAME="ReqIF.ForeignID">
              <TYPE><DATATYPE-DEFINITION-STRING-REF>_dt_str</DATATYPE-DEFINITION-STRING-REF></TYPE>
            </ATTRIBUTE-DEFINITION-STRING>
            <ATTRIBUTE-DEFINITION-STRING IDENTIFIER="_ad_heading" LAST-CHANGE="2026-01-12T10:00:00+01:00" LONG-NAME="ReqIF.ChapterName">
              <TYPE><DATATYPE-DEFINITION-STRING-REF>_dt_str</DATATYPE-DEFINITION-STRING-REF></TYPE>
            </ATTRIBUTE-DEFINITION-STRING>
            <ATTRIBUTE-DEFINITION-XHTML IDENTIFIER="_ad_text" LAST-CHANGE="2026-01-12T10:00:00+01:00" LONG-NAME="ReqIF.Text">
              <TYPE><DATATYPE-DEFINITION-XHTML-REF>_dt_xhtml</DATATYPE-DEFINITION-XHTML-REF></TYPE>
            </ATTRIBUTE-DEFINITION-XHTML>
            <ATTRIBUTE-DEFINITION-ENUMERATION IDENTIFIER="_ad_prio" LAST-CHANGE="2026-01-12T10:00:00+01:00" LONG-NAME="Priority" MULTI-VALUED="false">
              <TYPE><DATATYPE-DEFINITION-ENUMERATION-REF>_dt_prio</DATATYPE-DEFINITION-ENUMERATION-REF></TYPE>
            </ATTRIBUTE-DEFINITION-ENUMERATION>
            <ATTRIBUTE-DEFINITION-DATE IDENTIFIER="_ad_created" LAST-CHANGE="2026-01-12T10:00:00+01:00" LONG-NAME="Created On">
              <TYPE><DATATYPE-DEFINITION-DATE-REF>_dt_date</DATATYPE-DEFINITION-DATE-REF></TYPE>
            </ATTRIBUTE-DEFINITION-DATE>
          </SPEC-ATTRIBUTES>
        </SPEC-OBJECT-TYPE>
        <SPEC-RELATION-TYPE IDENTIFIER="_srt" LAST-CHANGE="2026-01-12T10:00:00+01:00" LONG-NAME="Refines"/>
        <SPECIFICATION-TYPE IDENTIFIER="_st" LAST-CHANGE="2026-01-12T10:00:00+01:00" LONG-NAME="Module Type"/>
      </SPEC-TYPES>
      <SPEC-OBJECTS>
        <SPEC-OBJECT IDENTIFIER="_o1" LAST-CHANGE="2026-01-12T10:00:00+01:00">
          <VALUES>
            <ATTRIBUTE-VALUE-STRING THE-VALUE="CCTP-12">
              <DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>_ad_id</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION>
            </ATTRIBUTE-VALUE-STRING>
            <ATTRIBUTE-VALUE-STRING THE-VALUE="Paiement en ligne">
              <DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>_ad_heading</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION>
            </ATTRIBUTE-VALUE-STRING>
            <ATTRIBUTE-VALUE-XHTML>
              <DEFINITION><ATTRIBUTE-DEFINITION-XHTML-REF>_ad_text</ATTRIBUTE-DEFINITION-XHTML-REF></DEFINITION>
              <THE-VALUE><xhtml:div><xhtml:p>Le portail <xhtml:b>doit</xhtml:b> accepter :</xhtml:p><xhtml:ul><xhtml:li>la carte bancaire</xhtml:li><xhtml:li>le prélèvement</xhtml:li></xhtml:ul><xhtml:script>alert('x')</xhtml:script><xhtml:p onclick="steal()">Fin.</xhtml:p></xhtml:div></THE-VALUE>
            </ATTRIBUTE-VALUE-XHTML>
            <ATTRIBUTE-VALUE-ENUMERATION>
              <DEFINITION><ATTRIBUTE-DEFINITION-ENUMERATION-REF>_ad_prio</ATTRIBUTE-DEFINITION-ENUMERATION-REF></DEFINITION>
              <VALUES><ENUM-VALUE-REF>_ev_high</ENUM-VALUE-REF></VALUES>
            </ATTRIBUTE-VALUE-ENUMERATION>
            <ATTRIBUTE-VALUE-DATE THE-VALUE="2026-01-05T09:30:00+01:00">
              <DEFINITION><ATTRIBUTE-DEFINITION-DATE-REF>_ad_created</ATTRIBUTE-DEFINITION-DATE-REF></DEFINITION>
            </ATTRIBUTE-VALUE-DATE>
          </VALUES>
          <TYPE><SPEC-OBJECT-TYPE-REF>_sot</SPEC-OBJECT-TYPE-REF></TYPE>
        </SPEC-OBJECT>
        <SPEC-OBJECT IDENTIFIER="_o2" LAST-CHANGE="2026-01-12T10:00:00+01:00">
          <VALUES>
            <ATTRIBUTE-VALUE-STRING THE-VALUE="CCTP-13">
              <DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>_ad_id</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION>
            </ATTRIBUTE-VALUE-STRING>
            <ATTRIBUTE-VALUE-STRING THE-VALUE="Reçu de paiement">
              <DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>_ad_heading</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION>
            </ATTRIBUTE-VALUE-STRING>
            <ATTRIBUTE-VALUE-XHTML>
              <DEFINITION><ATTRIBUTE-DEFINITION-XHTML-REF>_ad_text</ATTRIBUTE-DEFINITION-XHTML-REF></DEFINITION>
              <THE-VALUE><xhtml:div><xhtml:p>Un reçu est envoyé par courriel.</xhtml:p></xhtml:div></THE-VALUE>
            </ATTRIBUTE-VALUE-XHTML>
            <ATTRIBUTE-VALUE-ENUMERATION>
              <DEFINITION><ATTRIBUTE-DEFINITION-ENUMERATION-REF>_ad_prio</ATTRIBUTE-DEFINITION-ENUMERATION-REF></DEFINITION>
              <VALUES><ENUM-VALUE-REF>_ev_low</ENUM-VALUE-REF></VALUES>
            </ATTRIBUTE-VALUE-ENUMERATION>
          </VALUES>
          <TYPE><SPEC-OBJECT-TYPE-REF>_sot</SPEC-OBJECT-TYPE-REF></TYPE>
        </SPEC-OBJECT>
      </SPEC-OBJECTS>
      <SPEC-RELATIONS>
        <SPEC-RELATION IDENTIFIER="_r1" LAST-CHANGE="2026-01-12T10:00:00+01:00">
          <TYPE><SPEC-RELATION-TYPE-REF>_srt</SPEC-RELATION-TYPE-REF></TYPE>
          <SOURCE><SPEC-OBJECT-REF>_o2</SPEC-OBJECT-REF></SOURCE>
          <TARGET><SPEC-OBJECT-REF>_o1</SPEC-OBJECT-REF></TARGET>
        </SPEC-RELATION>
      </SPEC-RELATIONS>
      <SPECIFICATIONS>
        <SPECIFICATION IDENTIFIER="_spec" LAST-CHANGE="2026-01-12T10:00:00+01:00" LONG-NAME="CCTP">
          <TYPE><SPECIFICATION-TYPE-REF>_st</SPECIFICATION-TYPE-REF></TYPE>
          <CHILDREN>
            <SPEC-HIERARCHY IDENTIFIER="_h1" LAST-CHANGE="2026-01-12T10:00:00+01:00">
              <OBJECT><SPEC-OBJECT-REF>_o1</SPEC-OBJECT-REF></OBJECT>
            </SPEC-HIERARCHY>
            <SPEC-HIERARCHY IDENTIFIER="_h2" LAST-CHANGE="2026-01-12T10:00:00+01:00">
              <OBJECT><SPEC-OBJECT-REF>_o2</SPEC-OBJECT-REF></OBJECT>
            </SPEC-HIERARCHY>
          </CHILDREN>
        </SPECIFICATION>
      </SPECIFICATIONS>
    </REQ-IF-CONTENT>
  </CORE-CONTENT>
</REQ-IF>
"""
)

# Enterprise Architect: attributes named after EA's own fields (Alias, Name, Notes, Stereotype, Priority).
ENTERPRISE_ARCHITECT = (
    DOORS.replace('LONG-NAME="ReqIF.ForeignID"', 'LONG-NAME="Alias"')
    .replace('LONG-NAME="ReqIF.ChapterName"', 'LONG-NAME="Name"')
    .replace('LONG-NAME="ReqIF.Text"', 'LONG-NAME="Notes"')
    .replace(
        "<REQ-IF-TOOL-ID>IBM Rational DOORS</REQ-IF-TOOL-ID>", "<REQ-IF-TOOL-ID>Enterprise Architect</REQ-IF-TOOL-ID>"
    )
    .replace("<SOURCE-TOOL-ID>DOORS 9.7</SOURCE-TOOL-ID>", "<SOURCE-TOOL-ID>Sparx EA 16</SOURCE-TOOL-ID>")
)

# Polarion / ReqIF Studio name their attributes ReqIF.Name and ReqIF.Text and carry a work item "Type" enum.
POLARION = DOORS.replace('LONG-NAME="ReqIF.ChapterName"', 'LONG-NAME="ReqIF.Name"').replace(
    "<SOURCE-TOOL-ID>DOORS 9.7</SOURCE-TOOL-ID>", "<SOURCE-TOOL-ID>Polarion ALM</SOURCE-TOOL-ID>"
)

XXE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE REQ-IF [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd"><THE-HEADER><REQ-IF-HEADER IDENTIFIER="h"><TITLE>&xxe;</TITLE></REQ-IF-HEADER></THE-HEADER></REQ-IF>
"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd"><THE-HEADER><REQ-IF-HEADER IDENTIFIER="h"><TITLE>&lol4;</TITLE></REQ-IF-HEADER></THE-HEADER></REQ-IF>
"""
