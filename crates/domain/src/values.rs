//! The value types that facts are made of: people and their roles, guardians, documents,
//! focus groups, and the small enumerations of the plan.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use notoneless_i18n::Msg;
use serde::{Deserialize, Serialize};

use crate::error::CaseError;

/// A role a person plays in the plan. The ladder names the roles each step requires, and every
/// person who takes part in a step is recorded with the role in which they took part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 班主任: the class teacher.
    HeadTeacher,
    /// 学校分管负责人: the school's responsible leader (deputy in charge).
    ResponsibleLeader,
    /// 学校主要负责人（校长）: the principal, personally answerable.
    Principal,
    /// 乡镇政府: an officer of the township government.
    TownshipOfficer,
    /// 县教育局: an officer of the county education bureau.
    BureauOfficer,
    /// 督学: a school inspector.
    Inspector,
    /// 村干部: a village cadre who joins persuasion to return.
    VillageCadre,
    /// Anyone else (a relative, a social worker, an interpreter).
    Other,
}

impl Role {
    /// The role's name, for a person.
    pub fn label(self) -> Msg {
        match self {
            Role::HeadTeacher => Msg::CaseRoleHeadTeacher,
            Role::ResponsibleLeader => Msg::CaseRoleResponsibleLeader,
            Role::Principal => Msg::CaseRolePrincipal,
            Role::TownshipOfficer => Msg::CaseRoleTownshipOfficer,
            Role::BureauOfficer => Msg::CaseRoleBureauOfficer,
            Role::Inspector => Msg::CaseRoleInspector,
            Role::VillageCadre => Msg::CaseRoleVillageCadre,
            Role::Other => Msg::CaseRoleOther,
        }
    }

    /// The role's name as it is written in JSON and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::HeadTeacher => "head_teacher",
            Role::ResponsibleLeader => "responsible_leader",
            Role::Principal => "principal",
            Role::TownshipOfficer => "township_officer",
            Role::BureauOfficer => "bureau_officer",
            Role::Inspector => "inspector",
            Role::VillageCadre => "village_cadre",
            Role::Other => "other",
        }
    }
}

/// A person who took part in a step, in the role in which they took part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Participant {
    pub name: String,
    pub role: Role,
}

impl Participant {
    pub fn new(name: impl Into<String>, role: Role) -> Self {
        Self {
            name: name.into(),
            role,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Female,
    Male,
}

/// A parent or guardian (监护人) and how to reach them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Guardian {
    pub name: String,
    /// How the guardian is related to the child: father, mother, grandmother …
    pub relation: String,
    pub phone: String,
}

/// The groups that raise a child's risk of dropping out. "Grade 8 and above" is not declared:
/// it follows from the grade (see [`crate::StudentProfile::focus_groups`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FocusGroup {
    /// 建档立卡脱贫户: a registered poverty-alleviation household.
    PovertyAlleviationHousehold,
    /// 残疾儿童少年: a disabled child; some are taught at home (送教上门).
    Disabled,
    /// 贫困生: an economically poor student.
    EconomicallyPoor,
    /// 学困生: an academically struggling student.
    AcademicallyStruggling,
    /// 八年级以上: grade 8 and above; derived from the grade, never declared.
    Grade8OrAbove,
}

impl FocusGroup {
    pub fn as_str(self) -> &'static str {
        match self {
            FocusGroup::PovertyAlleviationHousehold => "poverty_alleviation_household",
            FocusGroup::Disabled => "disabled",
            FocusGroup::EconomicallyPoor => "economically_poor",
            FocusGroup::AcademicallyStruggling => "academically_struggling",
            FocusGroup::Grade8OrAbove => "grade8_or_above",
        }
    }
}

/// What was done to bring a child back (劝返措施), in the words of the plan's guiding principle
/// ("以法治辍、以情劝学、以资助学以及转变教育观念、改革教学方法、改善师生关系等措施"). A home
/// visit records the measures it took.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReturnMeasure {
    /// 以法治辍: the Compulsory Education Law explained, the guardians' duty put to them.
    LegalEducation,
    /// 以情劝学: persuasion with care, talking with the child and the family.
    PersuasionWithCare,
    /// 以资助学: financial help offered (减、免、缓、助).
    FinancialAid,
    /// 转变教育观念: changing the family's view of schooling.
    ChangingViews,
    /// 改革教学方法: teaching adjusted to the child (extra help, a different class plan).
    AdjustedTeaching,
    /// 改善师生关系: a better relationship between the child and the teachers.
    BetterTeacherRelations,
}

impl ReturnMeasure {
    pub const ALL: [ReturnMeasure; 6] = [
        ReturnMeasure::LegalEducation,
        ReturnMeasure::PersuasionWithCare,
        ReturnMeasure::FinancialAid,
        ReturnMeasure::ChangingViews,
        ReturnMeasure::AdjustedTeaching,
        ReturnMeasure::BetterTeacherRelations,
    ];

    /// The measure's name, for a person.
    pub fn label(self) -> Msg {
        match self {
            ReturnMeasure::LegalEducation => Msg::MeasureLegalEducation,
            ReturnMeasure::PersuasionWithCare => Msg::MeasurePersuasionWithCare,
            ReturnMeasure::FinancialAid => Msg::MeasureFinancialAid,
            ReturnMeasure::ChangingViews => Msg::MeasureChangingViews,
            ReturnMeasure::AdjustedTeaching => Msg::MeasureAdjustedTeaching,
            ReturnMeasure::BetterTeacherRelations => Msg::MeasureBetterTeacherRelations,
        }
    }
}

/// A supporting document (证明材料): what it is, its number, who issued it and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DocumentRef {
    /// What the document is: "medical certificate", "transfer certificate" …
    pub kind: String,
    /// Its number or reference, where it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    pub issued_by: String,
    pub issued_on: NaiveDate,
}

/// How a guardian was contacted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactChannel {
    Phone,
    Message,
    InPerson,
    Other,
}

/// What a home visit achieved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VisitOutcome {
    /// The family agreed that the child returns.
    AgreedToReturn,
    /// The family refused.
    Refused,
    /// Nobody was at home.
    NobodyHome,
    Other,
}

/// Who receives a report upward. The plan names two, and they are tracked separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// 乡镇政府
    TownshipGovernment,
    /// 县教育局 (教育主管部门)
    CountyBureau,
}

impl Recipient {
    pub fn as_str(self) -> &'static str {
        match self {
            Recipient::TownshipGovernment => "township_government",
            Recipient::CountyBureau => "county_bureau",
        }
    }
}

/// 减、免、缓、助: the four kinds of support for a poor student.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SupportKind {
    /// 减: a fee reduction.
    Reduction,
    /// 免: a fee waiver.
    Waiver,
    /// 缓: a deferral of fees.
    Deferral,
    /// 助: a subsidy or grant.
    Subsidy,
}

/// Why a case was closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClosureReason {
    /// The child is back and attending steadily.
    Resolved,
    /// The child completed compulsory education.
    CompletedCompulsoryEducation,
    /// The child left by a confirmed transfer.
    TransferredOut,
    /// Anything else; the closure's note must say what.
    Other,
}

/// What the registry cross-check (学籍/户籍比对) can find wrong with a child's registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RegistryIssue {
    /// 未入学: a school-age child in the household register on no school roll in the county.
    NotOnRoll,
    /// 空挂: on a school's roll but not at that school.
    NominalRegistration,
    /// 重复: on more than one roll, or twice on one.
    Duplicate,
    /// 错误: the roll's details disagree with the household register, or its ID number is not
    /// a valid one.
    Wrong,
    /// 注销: on a roll although the household registration was cancelled.
    Cancelled,
}

impl RegistryIssue {
    /// Every issue, in a fixed order.
    pub const ALL: [RegistryIssue; 5] = [
        RegistryIssue::NotOnRoll,
        RegistryIssue::NominalRegistration,
        RegistryIssue::Duplicate,
        RegistryIssue::Wrong,
        RegistryIssue::Cancelled,
    ];

    /// The issue's name as it is written in JSON and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            RegistryIssue::NotOnRoll => "not_on_roll",
            RegistryIssue::NominalRegistration => "nominal_registration",
            RegistryIssue::Duplicate => "duplicate",
            RegistryIssue::Wrong => "wrong",
            RegistryIssue::Cancelled => "cancelled",
        }
    }

    /// The issue's name in Chinese, as the bureau writes it.
    pub fn label_zh(self) -> &'static str {
        match self {
            RegistryIssue::NotOnRoll => "未入学（无学籍）",
            RegistryIssue::NominalRegistration => "空挂学籍",
            RegistryIssue::Duplicate => "重复学籍",
            RegistryIssue::Wrong => "学籍信息错误",
            RegistryIssue::Cancelled => "户籍已注销",
        }
    }
}

impl RegistryIssue {
    /// The finding's name, for a person.
    pub fn label(self) -> Msg {
        match self {
            RegistryIssue::NotOnRoll => Msg::RegistryIssueNotOnRoll,
            RegistryIssue::NominalRegistration => Msg::RegistryIssueNominalRegistration,
            RegistryIssue::Duplicate => Msg::RegistryIssueDuplicateRegistration,
            RegistryIssue::Wrong => Msg::RegistryIssueWrongRegistration,
            RegistryIssue::Cancelled => Msg::RegistryIssueCancelledRegistration,
        }
    }
}

impl std::fmt::Display for RegistryIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A child's details as the case file holds them when it is opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StudentProfile {
    /// 学籍号: the national student registry number.
    pub student_number: String,
    pub name: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    /// The school's code in the jurisdiction tree.
    pub school: String,
    /// 1 to 9: grades 1–6 primary, 7–9 junior middle school.
    #[cfg_attr(feature = "openapi", schema(maximum = 255))]
    pub grade: u8,
    pub class: String,
    pub head_teacher: String,
    pub guardians: Vec<Guardian>,
    /// The declared focus groups (never `grade8_or_above`, which follows from the grade).
    #[serde(default)]
    pub focus_groups: BTreeSet<FocusGroup>,
    /// 身份证号: the child's resident ID number (GB 11643, 18 characters), where the school
    /// has it. Files opened before it was asked for hold none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
}

impl StudentProfile {
    /// The declared focus groups plus "grade 8 and above" when the grade says so.
    pub fn focus_groups(&self) -> BTreeSet<FocusGroup> {
        let mut groups = self.focus_groups.clone();
        if self.grade >= 8 {
            groups.insert(FocusGroup::Grade8OrAbove);
        }
        groups
    }
}

// ---- field checks shared by the commands ----------------------------------------------------

/// The longest name, reference or short text a field takes.
pub const MAX_SHORT_TEXT: usize = 200;
/// The longest note or free-text account a field takes.
pub const MAX_LONG_TEXT: usize = 4000;

/// A required short text: not blank, at most [`MAX_SHORT_TEXT`] characters.
pub(crate) fn required(field: &'static str, value: &str) -> Result<(), CaseError> {
    if value.trim().is_empty() {
        return Err(CaseError::Blank { field });
    }
    max_len(field, value, MAX_SHORT_TEXT)
}

/// A required long text: not blank, at most [`MAX_LONG_TEXT`] characters.
pub(crate) fn required_long(field: &'static str, value: &str) -> Result<(), CaseError> {
    if value.trim().is_empty() {
        return Err(CaseError::Blank { field });
    }
    max_len(field, value, MAX_LONG_TEXT)
}

/// An optional text: when present, not blank and at most `max` characters.
pub(crate) fn optional(
    field: &'static str,
    value: Option<&String>,
    max: usize,
) -> Result<(), CaseError> {
    match value {
        None => Ok(()),
        Some(v) if v.trim().is_empty() => Err(CaseError::Blank { field }),
        Some(v) => max_len(field, v, max),
    }
}

fn max_len(field: &'static str, value: &str, max: usize) -> Result<(), CaseError> {
    if value.chars().count() > max {
        return Err(CaseError::TooLong { field, max });
    }
    Ok(())
}

/// 学籍号: letters and digits only, 1 to 32 of them (e.g. "G" followed by an 18-character ID).
pub(crate) fn student_number(field: &'static str, value: &str) -> Result<(), CaseError> {
    let ok =
        !value.is_empty() && value.len() <= 32 && value.chars().all(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(CaseError::BadFormat {
            field,
            expected: Msg::FormatStudentNumber,
        })
    }
}

/// 身份证号: an 18-character resident ID number whose check character agrees with it
/// ([`crate::parse_id_number`]).
pub(crate) fn id_number(field: &'static str, value: &str) -> Result<(), CaseError> {
    crate::registry::parse_id_number(value)
        .map(|_| ())
        .map_err(|_| CaseError::BadFormat {
            field,
            expected: Msg::FormatIdNumber,
        })
}

/// A phone number: digits with an optional leading '+', and '-' or spaces between groups; 5 to
/// 20 digits.
pub(crate) fn phone(field: &'static str, value: &str) -> Result<(), CaseError> {
    let body = value.strip_prefix('+').unwrap_or(value);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    let ok = body
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
        && (5..=20).contains(&digits);
    if ok {
        Ok(())
    } else {
        Err(CaseError::BadFormat {
            field,
            expected: Msg::FormatPhone,
        })
    }
}

/// A list of people who took part: at least one, each named, nobody twice in the same role.
pub(crate) fn participants(field: &'static str, people: &[Participant]) -> Result<(), CaseError> {
    if people.is_empty() {
        return Err(CaseError::Empty { field });
    }
    let mut seen = BTreeSet::new();
    for person in people {
        required(field, &person.name)?;
        if !seen.insert((person.name.trim(), person.role)) {
            return Err(CaseError::Duplicate {
                field,
                value: person.name.clone(),
            });
        }
    }
    Ok(())
}

pub(crate) fn document(
    field: &'static str,
    doc: &DocumentRef,
    today: NaiveDate,
) -> Result<(), CaseError> {
    required(field, &doc.kind)?;
    required(field, &doc.issued_by)?;
    optional(field, doc.number.as_ref(), MAX_SHORT_TEXT)?;
    if doc.issued_on > today {
        return Err(CaseError::InFuture {
            field,
            date: doc.issued_on,
            today,
        });
    }
    Ok(())
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Recipient {
    /// The recipient's name, for a person.
    pub fn label(self) -> Msg {
        match self {
            Recipient::TownshipGovernment => Msg::RecipientTownshipGovernment,
            Recipient::CountyBureau => Msg::RecipientCountyBureau,
        }
    }
}

impl FocusGroup {
    /// The group's name, for a person.
    pub fn label(self) -> Msg {
        match self {
            FocusGroup::PovertyAlleviationHousehold => Msg::FocusGroupPovertyAlleviationHousehold,
            FocusGroup::Disabled => Msg::FocusGroupDisabled,
            FocusGroup::EconomicallyPoor => Msg::FocusGroupEconomicallyPoor,
            FocusGroup::AcademicallyStruggling => Msg::FocusGroupAcademicallyStruggling,
            FocusGroup::Grade8OrAbove => Msg::FocusGroupGrade8OrAbove,
        }
    }
}

impl std::fmt::Display for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for FocusGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
