//! The rule set as a document a clinician can review (`trd-check rules`).

use crate::input::fmt_num;
use crate::ruleset::{Area, RuleSet, Trigger};

impl Trigger {
    /// The trigger in words; values that come from the site policy say so.
    pub fn describe(&self, rules: &RuleSet) -> String {
        let q = |id: &str| rules.question(id).map_or(id.to_string(), |q| q.text.clone());
        match self {
            Trigger::Answer { question, any_of } => {
                let values: Vec<String> = any_of
                    .iter()
                    .map(|v| match v {
                        crate::ruleset::Value::Bool(true) => "yes".to_string(),
                        crate::ruleset::Value::Bool(false) => "no".to_string(),
                        crate::ruleset::Value::Text(t) => {
                            rules.question(question).map_or(t.clone(), |qq| qq.option_label(t).to_string())
                        }
                    })
                    .collect();
                format!("{}: {}", q(question), values.join(" or "))
            }
            Trigger::Unanswered => {
                "a required question of this area is unknown (one finding per question)".to_string()
            }
            Trigger::BpStop => {
                let p = &rules.policy;
                format!(
                    "systolic or diastolic at or above the site policy's limits (default {}/{} mmHg)",
                    p.bp_stop_systolic_mmhg.default, p.bp_stop_diastolic_mmhg.default
                )
            }
            Trigger::BpAbove { systolic, diastolic } => {
                format!("systolic > {} or diastolic > {} mmHg", fmt_num(*systolic), fmt_num(*diastolic))
            }
            Trigger::AgeBelow { years } => format!("age < {}", fmt_num(*years)),
            Trigger::AgeAtOrAbove { years } => format!("age ≥ {}", fmt_num(*years)),
            Trigger::FailedTrialCount { minimum } => format!(
                "fewer than {minimum} failed adequate trials and no unknown could raise the count to {minimum} (otherwise the count is reported as information)"
            ),
            Trigger::TrialGap => "a trial that could still count has an unknown drug, dose, weeks, adherence, improvement or episode, or a drug outside the dose table without the clinician's confirmation (information only when the count is already decided)".to_string(),
            Trigger::TrialIntolerance => "a trial stopped for intolerance before it was adequate".to_string(),
            Trigger::TrialConfirmed => "a trial counted on the clinician's confirmation of adequacy (drug outside the dose table)".to_string(),
            Trigger::MedicationClass { classes } => format!(
                "a current medication in: {}",
                classes.iter().map(|c| rules.drugs.class_name(c)).collect::<Vec<_>>().join(", ")
            ),
            Trigger::DiazepamEquivalentAbove { mg, classes } => format!(
                "current {} total > {} mg/day diazepam-equivalent",
                classes.iter().map(|c| rules.drugs.class_name(c)).collect::<Vec<_>>().join(", "),
                fmt_num(*mg)
            ),
            Trigger::MedicationUnclassified => "a current medication not in the drug catalog".to_string(),
        }
    }
}

/// The whole rule set as Markdown: policy, definitions, rules by area, questions and the drug tables.
pub fn rules_markdown(rules: &RuleSet) -> String {
    let mut o = String::new();
    let m = &rules.meta;
    o += &format!(
        "# {} — rule set {} version {}\n\nsha256 `{}`\n\n{}\n\n",
        m.title, m.id, m.version, rules.sha256, m.disclaimer
    );
    o += "Determination: any contraindication or unmet criterion → not eligible; else any missing answer → incomplete; else any precaution → eligible with precautions; else eligible. An unknown answer is never taken as no.\n\n";
    o += "Source strength: verified (primary source), secondary, unverified.\n\n## Site policy (defaults)\n\n| setting | default | allowed | source |\n|---|---|---|---|\n";
    let p = &rules.policy;
    let row = |label: &str, default: String, allowed: String, source: &str| {
        format!("| {label} | {default} | {allowed} | {source} |\n")
    };
    let list = |v: &Option<Vec<u32>>| v.as_ref().map(|l| l.iter().map(u32::to_string).collect::<Vec<_>>().join(", "));
    let range = |min: Option<u32>, max: Option<u32>| {
        format!("{}–{}", min.unwrap_or(0), max.map_or("".into(), |m| m.to_string()))
    };
    o += &row(
        &p.min_weeks_at_dose.label,
        p.min_weeks_at_dose.default.to_string(),
        list(&p.min_weeks_at_dose.allowed).unwrap_or_default(),
        &p.min_weeks_at_dose.source,
    );
    o += &row(
        &p.failure_threshold_percent.label,
        p.failure_threshold_percent.default.to_string(),
        list(&p.failure_threshold_percent.allowed).unwrap_or_default(),
        &p.failure_threshold_percent.source,
    );
    o += &row(
        &p.bp_stop_systolic_mmhg.label,
        p.bp_stop_systolic_mmhg.default.to_string(),
        range(p.bp_stop_systolic_mmhg.min, p.bp_stop_systolic_mmhg.max),
        &p.bp_stop_systolic_mmhg.source,
    );
    o += &row(
        &p.bp_stop_diastolic_mmhg.label,
        p.bp_stop_diastolic_mmhg.default.to_string(),
        range(p.bp_stop_diastolic_mmhg.min, p.bp_stop_diastolic_mmhg.max),
        &p.bp_stop_diastolic_mmhg.source,
    );
    o += &row(
        &p.active_sud_level.label,
        p.active_sud_level.default.as_str().into(),
        p.active_sud_level.allowed.iter().flatten().map(|l| l.as_str()).collect::<Vec<_>>().join(", "),
        &p.active_sud_level.source,
    );
    o += "\n## Definitions\n\n";
    for d in &rules.definitions {
        o += &format!(
            "- **{}** ({}): {} Source: {} ({}).\n",
            d.id,
            d.area.as_str(),
            d.text,
            d.source,
            d.strength.label()
        );
    }
    for area in Area::ALL {
        let in_area: Vec<_> = rules.rules.iter().filter(|r| r.area == area).collect();
        if in_area.is_empty() {
            continue;
        }
        o += &format!("\n## {}\n\n| id | level | trigger | message | source |\n|---|---|---|---|---|\n", area.title());
        for r in in_area {
            let mut level = r.level.as_str().to_string();
            if r.level_setting.is_some() {
                level += " (site policy)";
            }
            if r.urgent {
                level += ", urgent";
            }
            let mut trigger = r.trigger.describe(rules);
            if !r.routes.is_empty() {
                trigger += &format!(" (route: {})", r.routes.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", "));
            }
            if !r.superseded_by.is_empty() {
                trigger += &format!("; not shown when {} fires", r.superseded_by.join(", "));
            }
            let esc = |s: &str| s.replace('|', "\\|");
            o += &format!(
                "| {} | {} | {} | {} | {} ({}) |\n",
                r.id,
                level,
                esc(&trigger),
                esc(&r.message),
                esc(&r.source),
                r.strength.label()
            );
        }
    }
    o += "\n## Questions\n\n| area | question | answer | required |\n|---|---|---|---|\n";
    for q in &rules.questions {
        let answer = if q.options.is_empty() {
            format!("{}{}", q.answer, q.unit.as_ref().map(|u| format!(" ({u})")).unwrap_or_default())
        } else {
            q.options.iter().map(|o| o.label.as_str()).collect::<Vec<_>>().join(" / ")
        };
        let mut required = q.gap_rule.as_ref().map_or("no".into(), |g| format!("yes ({g})"));
        if let Some(c) = &q.applies_when {
            required += &format!("; asked unless {} is {:?}", c.question, c.is_not);
        }
        o += &format!("| {} | {} | {} | {} |\n", q.area.as_str(), q.text, answer, required);
    }
    o += "\n## Minimum adequate doses (MGH-ATRQ; secondary source)\n\n| drug | also accepted | minimum mg/day | note |\n|---|---|---|---|\n";
    for d in rules.drugs.drugs.iter().filter(|d| d.min_dose_mg.is_some()) {
        o += &format!(
            "| {} | {} | {} | {} |\n",
            d.name,
            d.aliases.join(", "),
            fmt_num(d.min_dose_mg.unwrap_or_default()),
            d.note.as_deref().unwrap_or("")
        );
    }
    o += "\n## Benzodiazepine equivalents (dose equal to diazepam 10 mg)\n\n| drug | also accepted | mg/day |\n|---|---|---|\n";
    for d in rules.drugs.drugs.iter().filter(|d| d.in_class("benzodiazepine")) {
        o += &format!(
            "| {} | {} | {} |\n",
            d.name,
            d.aliases.join(", "),
            d.diazepam_10mg_equivalent.map_or("no equivalent in this rule set".into(), fmt_num)
        );
    }
    o += "\n## Medication classes\n\n| class | drugs |\n|---|---|\n";
    for (id, name) in &rules.drugs.classes {
        let members: Vec<&str> = rules.drugs.drugs.iter().filter(|d| d.in_class(id)).map(|d| &*d.name).collect();
        o += &format!("| {name} (`{id}`) | {} |\n", members.join(", "));
    }
    o
}
