//! The rule set as a document a clinician can review (`trd-check rules`).

use crate::eligibility::input::fmt_num;
use crate::eligibility::ruleset::{AppliesWhen, Area, Condition, RuleSet, Trigger, Value};

/// A value of an answer in words: yes, no, or the choice's label.
fn value_text(rules: &RuleSet, question: &str, v: &Value) -> String {
    match v {
        Value::Bool(true) => "yes".to_string(),
        Value::Bool(false) => "no".to_string(),
        Value::Text(t) => rules.question(question).map_or(t.clone(), |qq| qq.option_label(t).to_string()),
    }
}

/// "Sex is not Male", "Suicidal ideation now is Active, without a plan".
fn condition_text(rules: &RuleSet, c: &Condition) -> String {
    let q = rules.question(&c.question).map_or(c.question.clone(), |q| q.text.clone());
    match &c.is_not {
        Some(v) if c.is.is_empty() => format!("{q} is not {}", value_text(rules, &c.question, v)),
        _ => format!(
            "{q} is {}",
            c.is.iter().map(|v| value_text(rules, &c.question, v)).collect::<Vec<_>>().join(" or ")
        ),
    }
}

/// When a question is asked, in words.
pub fn applies_text(rules: &RuleSet, applies: &AppliesWhen) -> String {
    match applies {
        AppliesWhen::One(c) => condition_text(rules, c),
        AppliesWhen::Any { any } => any.iter().map(|c| condition_text(rules, c)).collect::<Vec<_>>().join(", or "),
    }
}

impl Trigger {
    /// The trigger in words; values that come from the site policy say so.
    pub fn describe(&self, rules: &RuleSet) -> String {
        let q = |id: &str| rules.question(id).map_or(id.to_string(), |q| q.text.clone());
        let answer = |question: &str, any_of: &[Value]| {
            let values: Vec<String> = any_of.iter().map(|v| value_text(rules, question, v)).collect();
            format!("{}: {}", q(question), values.join(" or "))
        };
        let classes =
            |classes: &[String]| classes.iter().map(|c| rules.drugs.class_name(c)).collect::<Vec<_>>().join(", ");
        let setting = |key: &str| {
            rules
                .policy
                .number_setting(key)
                .map_or(key.to_string(), |s| format!("the site policy's {key} (default {})", s.default))
        };
        match self {
            Trigger::Answer { question, any_of } => answer(question, any_of),
            Trigger::AnyAnswer { answers } => {
                answers.iter().map(|a| answer(&a.question, &a.any_of)).collect::<Vec<_>>().join("; or ")
            }
            Trigger::AllAnswers { answers } => format!(
                "all of: {} (as answered, whether or not the question applies)",
                answers.iter().map(|a| answer(&a.question, &a.any_of)).collect::<Vec<_>>().join("; and ")
            ),
            Trigger::Unanswered => {
                "a required question of this area is unknown (one finding per question)".to_string()
            }
            Trigger::AllUnanswered { questions } => format!(
                "every one of {} is unknown (one of them is enough)",
                questions.iter().map(|x| q(x)).collect::<Vec<_>>().join(", ")
            ),
            Trigger::BelowSetting { question, setting: key } => format!("{} below {}", q(question), setting(key)),
            Trigger::ScoresBelow { scores } => format!(
                "every recorded score below its minimum ({}), at least one recorded",
                scores.iter().map(|s| format!("{} < {}", s.label, setting(&s.setting))).collect::<Vec<_>>().join(", ")
            ),
            Trigger::AnswerWithoutClass { question, any_of, classes: c } => format!(
                "{}, and no current medication in: {} (missing when the medication list is not recorded)",
                answer(question, any_of),
                classes(c)
            ),
            Trigger::AnswerWithClass { question, any_of, classes: c } => {
                format!("{}, and a current medication in: {}", answer(question, any_of), classes(c))
            }
            Trigger::BpStop => {
                let p = &rules.policy;
                format!(
                    "the repeat reading after rest when recorded, else the first: systolic or diastolic at or above the site policy's limits (default {}/{} mmHg)",
                    p.bp_stop_systolic_mmhg.default, p.bp_stop_diastolic_mmhg.default
                )
            }
            Trigger::BpAbove { systolic, diastolic } => {
                format!("any recorded reading with systolic > {} or diastolic > {} mmHg", fmt_num(*systolic), fmt_num(*diastolic))
            }
            Trigger::AgeBelow { years } => format!("age < {}", fmt_num(*years)),
            Trigger::AgeAtOrAbove { years } => format!("age ≥ {}", fmt_num(*years)),
            Trigger::FailedTrialCount { minimum, augmentation_classes } => format!(
                "fewer than {minimum} different drugs with a failed adequate trial and no unknown could raise the count to {minimum} (otherwise the count is reported as information); {} count only under the site policy augmentation_counts",
                classes(augmentation_classes)
            ),
            Trigger::TrialGap => "a trial that could still count has an unknown drug, dose, weeks, adherence, improvement or episode, or a drug outside the dose table without the clinician's confirmation (information only when the count is already decided)".to_string(),
            Trigger::TrialIntolerance => "a trial stopped for intolerance before it was adequate".to_string(),
            Trigger::TrialConfirmed => "a trial counted on the clinician's confirmation of adequacy (drug outside the dose table)".to_string(),
            Trigger::TrialEnantiomers => "two counted drugs of which one is an enantiomer of the other (drug catalog: enantiomer_of)".to_string(),
            Trigger::MedicationClass { classes } => format!(
                "a current medication in: {}",
                classes.iter().map(|c| rules.drugs.class_name(c)).collect::<Vec<_>>().join(", ")
            ),
            Trigger::DiazepamEquivalentAbove { mg, classes } => format!(
                "current {} total > {} mg/day diazepam-equivalent",
                classes.iter().map(|c| rules.drugs.class_name(c)).collect::<Vec<_>>().join(", "),
                fmt_num(*mg)
            ),
            Trigger::MedicationUnclassified => {
                "a current medication not in the drug catalog that the clinician has not classified (one finding each; a close catalog name is offered)".to_string()
            }
            Trigger::MedicationClinicianClasses => "a current medication the clinician classified (one finding each)".to_string(),
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
    o += "Determination: any contraindication or unmet criterion → not eligible; else any missing answer → incomplete; else any deferral → deferred (not today: recheck); else any precaution → eligible with precautions; else eligible. An unknown answer is never taken as no.\n\n";
    o += "Source strength: verified (primary source), secondary, unverified.\n\n## Site policy (defaults)\n\n| setting | default | allowed | source |\n|---|---|---|---|\n";
    for e in rules.policy.entries() {
        o += &format!("| {} | {} | {} | {} |\n", e.label, e.default, e.allowed, e.source);
    }
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
    rules_tables(&mut o, rules);
    questions_table(&mut o, rules);
    drug_tables(&mut o, rules);
    o
}

/// The rules by area: id, level, trigger, message and source (by route where they differ).
fn rules_tables(o: &mut String, rules: &RuleSet) {
    for area in Area::ALL {
        let in_area: Vec<_> = rules.rules.iter().filter(|r| r.area == area).collect();
        if in_area.is_empty() {
            continue;
        }
        *o += &format!("\n## {}\n\n| id | level | trigger | message | source |\n|---|---|---|---|---|\n", area.title());
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
            let mut message = esc(&r.message);
            let mut source = format!("{} ({})", esc(&r.source), r.strength.label());
            for t in &r.by_route {
                message += &format!("<br>**{}:** {}", t.route.as_str(), esc(&t.message));
                source += &format!("<br>**{}:** {} ({})", t.route.as_str(), esc(&t.source), t.strength.label());
            }
            *o += &format!("| {} | {} | {} | {} | {} |\n", r.id, level, esc(&trigger), message, source);
        }
    }
}

/// Every question: its area, text, answer and whether it is required (and when it is asked).
fn questions_table(o: &mut String, rules: &RuleSet) {
    *o += "\n## Questions\n\n| area | question | answer | required |\n|---|---|---|---|\n";
    for q in &rules.questions {
        let answer = if q.options.is_empty() {
            format!("{}{}", q.answer, q.unit.as_ref().map(|u| format!(" ({u})")).unwrap_or_default())
        } else {
            q.options.iter().map(|o| o.label.as_str()).collect::<Vec<_>>().join(" / ")
        };
        let mut required = q.gap_rule.as_ref().map_or("no".into(), |g| format!("yes ({g})"));
        if let Some(c) = &q.applies_when {
            required += &format!("; asked when {}", applies_text(rules, c));
        }
        *o += &format!("| {} | {} | {} | {} |\n", q.area.as_str(), q.text, answer, required);
    }
}

/// The drug catalog: minimum adequate doses, benzodiazepine equivalents, classes and the sources of its entries.
fn drug_tables(o: &mut String, rules: &RuleSet) {
    *o += "\n## Minimum adequate doses (MGH-ATRQ; secondary source)\n\n| drug | also accepted | minimum mg/day | note |\n|---|---|---|---|\n";
    for d in rules.drugs.drugs.iter().filter(|d| d.min_dose_mg.is_some()) {
        *o += &format!(
            "| {} | {} | {} | {} |\n",
            d.name,
            d.aliases.join(", "),
            fmt_num(d.min_dose_mg.unwrap_or_default()),
            d.note.as_deref().unwrap_or("")
        );
    }
    *o += "\n## Benzodiazepine equivalents (dose equal to diazepam 10 mg)\n\n| drug | also accepted | mg/day |\n|---|---|---|\n";
    for d in rules.drugs.drugs.iter().filter(|d| d.in_class("benzodiazepine")) {
        *o += &format!(
            "| {} | {} | {} |\n",
            d.name,
            d.aliases.join(", "),
            d.diazepam_10mg_equivalent.map_or("no equivalent in this rule set".into(), fmt_num)
        );
    }
    *o += "\n## Medication classes\n\n| class | drugs |\n|---|---|\n";
    for (id, name) in &rules.drugs.classes {
        let members: Vec<String> = rules
            .drugs
            .drugs
            .iter()
            .filter(|d| d.in_class(id))
            .map(|d| match d.strength {
                Some(s) if s != crate::eligibility::source::Strength::V => format!("{} ({})", d.name, s.label()),
                _ => d.name.to_string(),
            })
            .collect();
        *o += &format!("| {name} (`{id}`) | {} |\n", members.join(", "));
    }
    *o += "\n## Sources of catalog entries\n\n| drug | source |\n|---|---|\n";
    for d in rules.drugs.drugs.iter() {
        if let (Some(source), Some(strength)) = (&d.source, d.strength) {
            *o += &format!("| {} | {} ({}) |\n", d.name, source.replace('|', "\\|"), strength.label());
        }
    }
}
