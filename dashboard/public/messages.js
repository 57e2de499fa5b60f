// Alert messages in Chinese for the zh-CN view, from the alert's own figures (value,
// threshold, evidence). The analytics writes its messages in English; a rule without a
// template here keeps that message.
import { getLang } from './i18n.js';

const r1 = (v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v);
const signed = (v) => `${v > 0 ? '+' : ''}${r1(v)}`;

// Weather-normalised yoy (docs/weather.md): heating degree days of both months and the expectation.
const yoyWeather = (e) => (e.weatherNormalised ? `；采暖度日 ${Math.round(e.hdd)}（去年 ${Math.round(e.previousYearHdd)}），按气温折算预期 ${r1(e.expectedUsage)} m³（折算后 ${signed(e.weatherNormalisedChangePercent)} %）` : '');

const ZH = {
  yoy_deviation: (a, e) => (e.usage !== undefined && e.previousYear !== undefined ? `本月用量 ${r1(e.usage)} m³，去年同期 ${r1(e.previousYear)} m³（${signed(e.changePercent ?? a.value)} %）${yoyWeather(e)}` : undefined),
  residential_high: (a, e) => `月用量 ${r1(e.usage ?? a.value)} m³，达到或超过 ${a.threshold} m³`,
  bulk_balance: (a, e) => (e.bulkUsage !== undefined ? `输差率 ${r1((e.lossShare ?? a.value / 100) * 100)} %（总表 ${r1(e.bulkUsage)} m³，分户合计 ${r1(e.householdSum)} m³），超过 ${a.threshold} %` : undefined),
  tamper: (a) => (a.message.startsWith('meter reported') ? `表具上报异常标志：${a.message.slice('meter reported '.length)}` : undefined),
  large_flow: (a) => `最大流量 ${r1(a.value)} m³/h，达到或超过 ${a.threshold} m³/h`,
  usage_while_inactive: (a) => `用户非正常用气状态下用量 ${r1(a.value)} m³`,
};

export function alertMessage(alert) {
  if (getLang() === 'en') return alert.message;
  try {
    return ZH[alert.rule]?.(alert, alert.evidence ?? {}) ?? alert.message;
  } catch {
    return alert.message;
  }
}
