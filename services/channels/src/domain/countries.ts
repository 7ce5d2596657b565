/**
 * Platforms name countries every way: Shopify and WooCommerce send alpha-2 codes, some themes send
 * "Germany", Youzan sends "中国" or "中国大陆", marketplaces send alpha-3. Carriers and the
 * PostalAddress contract want ISO 3166-1 alpha-2, so everything is resolved here or refused by name.
 */

/**
 * ISO 3166-1: alpha-3 then alpha-2, all 249 officially assigned entries. English and Chinese names
 * come from ICU (Intl.DisplayNames) for exactly these codes, so the table cannot drift from its names.
 */
const ISO_3166 =
  'AFG AF ALA AX ALB AL DZA DZ ASM AS AND AD AGO AO AIA AI ATA AQ ATG AG ARG AR ARM AM ABW AW AUS AU ' +
  'AUT AT AZE AZ BHS BS BHR BH BGD BD BRB BB BLR BY BEL BE BLZ BZ BEN BJ BMU BM BTN BT BOL BO BES BQ ' +
  'BIH BA BWA BW BVT BV BRA BR IOT IO BRN BN BGR BG BFA BF BDI BI CPV CV KHM KH CMR CM CAN CA CYM KY ' +
  'CAF CF TCD TD CHL CL CHN CN CXR CX CCK CC COL CO COM KM COG CG COD CD COK CK CRI CR CIV CI HRV HR ' +
  'CUB CU CUW CW CYP CY CZE CZ DNK DK DJI DJ DMA DM DOM DO ECU EC EGY EG SLV SV GNQ GQ ERI ER EST EE ' +
  'SWZ SZ ETH ET FLK FK FRO FO FJI FJ FIN FI FRA FR GUF GF PYF PF ATF TF GAB GA GMB GM GEO GE DEU DE ' +
  'GHA GH GIB GI GRC GR GRL GL GRD GD GLP GP GUM GU GTM GT GGY GG GIN GN GNB GW GUY GY HTI HT HMD HM ' +
  'VAT VA HND HN HKG HK HUN HU ISL IS IND IN IDN ID IRN IR IRQ IQ IRL IE IMN IM ISR IL ITA IT JAM JM ' +
  'JPN JP JEY JE JOR JO KAZ KZ KEN KE KIR KI PRK KP KOR KR KWT KW KGZ KG LAO LA LVA LV LBN LB LSO LS ' +
  'LBR LR LBY LY LIE LI LTU LT LUX LU MAC MO MDG MG MWI MW MYS MY MDV MV MLI ML MLT MT MHL MH MTQ MQ ' +
  'MRT MR MUS MU MYT YT MEX MX FSM FM MDA MD MCO MC MNG MN MNE ME MSR MS MAR MA MOZ MZ MMR MM NAM NA ' +
  'NRU NR NPL NP NLD NL NCL NC NZL NZ NIC NI NER NE NGA NG NIU NU NFK NF MKD MK MNP MP NOR NO OMN OM ' +
  'PAK PK PLW PW PSE PS PAN PA PNG PG PRY PY PER PE PHL PH PCN PN POL PL PRT PT PRI PR QAT QA REU RE ' +
  'ROU RO RUS RU RWA RW BLM BL SHN SH KNA KN LCA LC MAF MF SPM PM VCT VC WSM WS SMR SM STP ST SAU SA ' +
  'SEN SN SRB RS SYC SC SLE SL SGP SG SXM SX SVK SK SVN SI SLB SB SOM SO ZAF ZA SGS GS SSD SS ESP ES ' +
  'LKA LK SDN SD SUR SR SJM SJ SWE SE CHE CH SYR SY TWN TW TJK TJ TZA TZ THA TH TLS TL TGO TG TKL TK ' +
  'TON TO TTO TT TUN TN TUR TR TKM TM TCA TC TUV TV UGA UG UKR UA ARE AE GBR GB USA US UMI UM URY UY ' +
  'UZB UZ VUT VU VEN VE VNM VN VGB VG VIR VI WLF WF ESH EH YEM YE ZMB ZM ZWE ZW';

/** Names people and platforms use that ICU spells otherwise. Keys are normalised (see `key`). */
const ALIASES: Readonly<Record<string, string>> = {
  'united states of america': 'US',
  usa: 'US',
  america: 'US',
  'united kingdom of great britain and northern ireland': 'GB',
  uk: 'GB',
  'great britain': 'GB',
  england: 'GB',
  'south korea': 'KR',
  'republic of korea': 'KR',
  'korea, republic of': 'KR',
  'north korea': 'KP',
  russia: 'RU',
  'russian federation': 'RU',
  vietnam: 'VN',
  'viet nam': 'VN',
  'czech republic': 'CZ',
  turkey: 'TR',
  türkiye: 'TR',
  'hong kong': 'HK',
  macau: 'MO',
  macao: 'MO',
  "people's republic of china": 'CN',
  'mainland china': 'CN',
  holland: 'NL',
  'the netherlands': 'NL',
  'ivory coast': 'CI',
  'cape verde': 'CV',
  swaziland: 'SZ',
  burma: 'MM',
  中国大陆: 'CN',
  中国内地: 'CN',
  大陆: 'CN',
  中华人民共和国: 'CN',
  香港: 'HK',
  中国香港: 'HK',
  澳门: 'MO',
  中国澳门: 'MO',
  台湾: 'TW',
  中国台湾: 'TW',
  臺灣: 'TW',
  美國: 'US',
  美利坚合众国: 'US',
  德國: 'DE',
  日本国: 'JP',
  韩国: 'KR',
  南韩: 'KR',
  大韩民国: 'KR',
  英國: 'GB',
  俄罗斯联邦: 'RU',
};

const ALPHA3_TO_ALPHA2 = new Map<string, string>();
const ALPHA2 = new Set<string>();
{
  const parts = ISO_3166.split(' ');
  for (let i = 0; i + 1 < parts.length; i += 2) {
    ALPHA3_TO_ALPHA2.set(parts[i] ?? '', parts[i + 1] ?? '');
    ALPHA2.add(parts[i + 1] ?? '');
  }
}

const BY_NAME = new Map<string, string>();
{
  for (const locale of ['en', 'zh-Hans', 'zh-Hant']) {
    const names = new Intl.DisplayNames([locale], { type: 'region', fallback: 'none' });
    for (const code of ALPHA2) {
      const name = names.of(code);
      if (name) {
        BY_NAME.set(key(name), code);
      }
    }
  }
  for (const [name, code] of Object.entries(ALIASES)) {
    BY_NAME.set(key(name), code);
  }
}

/** Case, accents, surrounding and doubled spaces and a leading "the" do not change a country. */
function key(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^the /, '');
}

export type CountryResult =
  | { readonly ok: true; readonly alpha2: string }
  | { readonly ok: false; readonly input: string; readonly message: string };

export const ISO_3166_ALPHA2: ReadonlySet<string> = ALPHA2;

/** An alpha-2 or alpha-3 code (any case), or an English or Chinese name → ISO 3166-1 alpha-2. */
export function toCountryCode(value: string | null | undefined): CountryResult {
  const input = value ?? '';
  const trimmed = input.trim();
  const upper = trimmed.toUpperCase();
  if (/^[A-Z]{2}$/.test(upper) && ALPHA2.has(upper)) {
    return { ok: true, alpha2: upper };
  }
  // "UK" is not ISO (GB is), but it is what people write.
  if (upper === 'UK') {
    return { ok: true, alpha2: 'GB' };
  }
  const fromAlpha3 = /^[A-Z]{3}$/.test(upper) ? ALPHA3_TO_ALPHA2.get(upper) : undefined;
  if (fromAlpha3) {
    return { ok: true, alpha2: fromAlpha3 };
  }
  const byName = BY_NAME.get(key(trimmed));
  if (byName) {
    return { ok: true, alpha2: byName };
  }
  return {
    ok: false,
    input,
    message:
      trimmed === ''
        ? 'the country is missing'
        : `${JSON.stringify(input)} is not an ISO 3166-1 code or a country name Waybill knows`,
  };
}
